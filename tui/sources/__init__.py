"""What feeds the app: the SnapshotSource protocol, live and replay feeds, offline files, command-line inputs."""
