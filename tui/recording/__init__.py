"""The recording format, its writer, the tap that records a poller, the replay client, exports."""
