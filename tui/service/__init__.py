"""The poll scheduler, history ring, record/replay."""
