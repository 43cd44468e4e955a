// Original file: proto/roster/v1/cluster.proto


export interface MemberListRequest {
}

export interface MemberListRequest__Output {
}
