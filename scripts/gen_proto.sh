#!/usr/bin/env bash
# Regenerate tui/wire/profile_pb2.py from tui/wire/profile.proto.
#
# Generator: protoc bundled with grpcio-tools 1.85.1 (libprotoc 35.1).
# The generated module checks the protobuf runtime version at import: it needs
# protobuf >= 7.35.1, which is the lower bound in pyproject.toml. If you change the
# generator, change that bound to match (new gencode on an old runtime is not allowed).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q 'grpcio-tools==1.85.1'
python -m grpc_tools.protoc --version
python -m grpc_tools.protoc -Itui/wire --python_out=tui/wire --pyi_out=tui/wire tui/wire/profile.proto
