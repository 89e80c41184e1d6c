"""profile.proto (google/pprof) and its generated code: the wire schema, nothing of ours."""
