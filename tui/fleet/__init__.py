"""Several replicas of one service side by side: what one target has far more of than its siblings."""
