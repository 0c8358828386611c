// libcurl for Swift. curl_easy_setopt, curl_multi_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call; these static inline wrappers give one non-variadic entry point per argument kind.
#ifndef CONCTRACE_CCURL_SHIM_H
#define CONCTRACE_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode ct_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ct_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ct_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ct_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ct_easy_setopt_xferinfo_callback(CURL *handle, CURLoption option,
                                                        curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLMcode ct_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLMcode ct_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLMcode ct_multi_setopt_socket_callback(CURLM *handle, CURLMoption option, curl_socket_callback value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLMcode ct_multi_setopt_timer_callback(CURLM *handle, CURLMoption option, curl_multi_timer_callback value) {
    return curl_multi_setopt(handle, option, value);
}

static inline CURLcode ct_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ct_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ct_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ct_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURL_SOCKET_TIMEOUT: the socket argument of curl_multi_socket_action that means "a timeout fired".
static inline curl_socket_t ct_socket_timeout(void) {
    return CURL_SOCKET_TIMEOUT;
}

/// curl_version_info(CURLVERSION_NOW): the macro is not visible to Swift.
static inline const curl_version_info_data *ct_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
