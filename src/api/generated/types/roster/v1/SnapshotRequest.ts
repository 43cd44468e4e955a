// Original file: proto/roster/v1/cluster.proto


export interface SnapshotRequest {
}

export interface SnapshotRequest__Output {
}
