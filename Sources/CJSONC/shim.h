// json-c for Swift: the tokenizer (json_tokener_parse_ex) is what conctrace uses, to stream a trace one array
// element at a time.
#ifndef CONCTRACE_CJSONC_SHIM_H
#define CONCTRACE_CJSONC_SHIM_H

#include <json-c/json.h>

#endif
