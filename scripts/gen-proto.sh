#!/usr/bin/env bash
# Regenerates the TypeScript types of proto/roster/v1 into src/api/generated/types (committed), then
# adds the .js suffixes that ESM (NodeNext) resolution requires. Run after editing a .proto.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/api/generated/types
npx proto-loader-gen-types roster/v1/registry.proto roster/v1/cluster.proto \
  --longs=Number --enums=String --defaults --oneofs --keepCase --grpcLib=@grpc/grpc-js \
  --outDir=src/api/generated/types --includeDirs proto 2>/dev/null
find src/api/generated/types -name '*.ts' -print0 | xargs -0 sed -i -E "s#(from '\.{1,2}/[^']*)';#\1.js';#"
echo "generated $(find src/api/generated/types -name '*.ts' | wc -l) files"
