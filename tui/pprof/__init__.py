"""profile.proto (google/pprof) gencode and decoding: bytes -> Profile."""
