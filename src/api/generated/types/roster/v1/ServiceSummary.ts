// Original file: proto/roster/v1/registry.proto


export interface ServiceSummary {
  'name'?: (string);
  'instances'?: (number);
  'healthy'?: (number);
}

export interface ServiceSummary__Output {
  'name': (string);
  'instances': (number);
  'healthy': (number);
}
