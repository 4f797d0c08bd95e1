/* Typed entry points for libcurl's variadic calls, which Swift cannot import.
 *
 * One wrapper per argument kind, so the compiler checks what Swift passes. Thread rules are libcurl's own
 * (libcurl-thread(3)): a handle is used by one thread at a time; curl_multi_wakeup may be called from any thread.
 */
#ifndef MOECAP_CCURL_SHIM_H
#define MOECAP_CCURL_SHIM_H

#include <curl/curl.h>

#ifdef __linux__
/* epoll, for the client's event loop (Swift's Glibc module does not export it). */
#include <sys/epoll.h>
#endif

/* curl_easy_setopt for options of type long (CURLOPTTYPE_LONG). */
static inline CURLcode shim_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/* curl_easy_setopt for options of type curl_off_t (CURLOPTTYPE_OFF_T, the *_LARGE options). */
static inline CURLcode shim_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* curl_easy_setopt for string options; libcurl copies the string (except CURLOPT_POSTFIELDS: use
 * CURLOPT_COPYPOSTFIELDS). */
static inline CURLcode shim_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/* curl_easy_setopt for raw pointers: CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_ERRORBUFFER,
 * CURLOPT_COPYPOSTFIELDS (bytes that need not be NUL-terminated once POSTFIELDSIZE is set). */
static inline CURLcode shim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/* curl_easy_setopt for header lists (CURLOPT_HTTPHEADER). The list must outlive the transfer. */
static inline CURLcode shim_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}

/* curl_easy_setopt for CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION (both take a curl_write_callback). */
static inline CURLcode shim_easy_setopt_write_callback(CURL *handle, CURLoption option, curl_write_callback fn) {
    return curl_easy_setopt(handle, option, fn);
}

/* curl_easy_getinfo for CURLINFO_LONG values (e.g. CURLINFO_RESPONSE_CODE). */
static inline CURLcode shim_easy_getinfo_long(CURL *handle, CURLINFO info, long *out) {
    return curl_easy_getinfo(handle, info, out);
}

/* curl_multi_setopt for options of type long (CURLMOPT_MAX_TOTAL_CONNECTIONS, CURLMOPT_MAXCONNECTS, ...). */
static inline CURLMcode shim_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/* curl_multi_setopt for CURLMOPT_SOCKETFUNCTION: libcurl says which sockets to watch for what. */
static inline CURLMcode shim_multi_setopt_socket_callback(CURLM *multi, curl_socket_callback fn) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, fn);
}

/* curl_multi_setopt for CURLMOPT_TIMERFUNCTION: libcurl says when to call curl_multi_socket_action next. */
static inline CURLMcode shim_multi_setopt_timer_callback(CURLM *multi, curl_multi_timer_callback fn) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, fn);
}

/* curl_multi_setopt for raw pointers: CURLMOPT_SOCKETDATA, CURLMOPT_TIMERDATA. */
static inline CURLMcode shim_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

/* The result code of a CURLMSG_DONE message (a member of an anonymous union in CURLMsg). */
static inline CURLcode shim_multi_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
