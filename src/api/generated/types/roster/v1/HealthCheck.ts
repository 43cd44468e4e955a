// Original file: proto/roster/v1/registry.proto


export interface HealthCheck {
  'kind'?: (string);
  'target'?: (string);
  'interval_ms'?: (number);
  'timeout_ms'?: (number);
  'failures_before_critical'?: (number);
  'successes_before_passing'?: (number);
  'grpc_service'?: (string);
}

export interface HealthCheck__Output {
  'kind': (string);
  'target': (string);
  'interval_ms': (number);
  'timeout_ms': (number);
  'failures_before_critical': (number);
  'successes_before_passing': (number);
  'grpc_service': (string);
}
