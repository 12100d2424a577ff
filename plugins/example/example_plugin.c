/* example_plugin.c — the smallest complete outboxd plugin: appends one line per message to a file.
 *
 * Copy this file to start your own plugin. It is plain C99 and needs nothing but the installed
 * header <outboxd/plugin.h>:
 *
 *   cc -shared -fPIC -fvisibility=hidden -I/usr/include -o myplugin.so example_plugin.c
 *
 * Config (the destination's `config:` mapping, read through the host's typed getters):
 *   path   file to append to; required. Unknown keys are refused.
 *
 * Each message becomes one line "<id> <destination> <payload>", for example
 *   0190a0b0-0000-7000-8000-000000000001 audit {"order": 42}
 * A payload that is JSON null is refused: by validate() before it is enqueued, by send() otherwise.
 *
 * The daemon's side of every rule used here is described in docs/plugins.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outboxd/plugin.h>

/* One configured destination. init() builds it, send() uses it, shutdown() frees it. */
typedef struct {
    const outboxd_host *host; /* owned by the daemon; valid until shutdown() returns */
    const char *path;         /* config: path (the daemon's string, valid until shutdown) */
    FILE *file;               /* opened for appending in init() */
} example_state;

/* ---- config ----------------------------------------------------------------------------------
 * The daemon reads the config for you: outboxd_host's getters answer "path" as a string, an
 * integer or a boolean and word the errors ("path: must be a string, got number"), so the plugin
 * needs no JSON parser. An older daemon lacks them (OUTBOXD_HOST_HAS says so); then refuse to start
 * rather than guess. */
static int example_read_config(const outboxd_host *host, example_state *s, char *error,
                               size_t error_cap) {
    static const char *const known[] = {"path"};
    int rc;
    if (!OUTBOXD_HOST_HAS(host, config_check_keys)) {
        snprintf(error, error_cap, "this outboxd is too old for the example plugin (no config getters)");
        return 0;
    }
    if (host->config_check_keys(host->ctx, known, 1, error, error_cap) != OUTBOXD_CONFIG_OK) return 0;
    rc = host->config_string(host->ctx, "path", &s->path, error, error_cap);
    if (rc == OUTBOXD_CONFIG_INVALID) return 0;
    if (rc == OUTBOXD_CONFIG_MISSING || s->path[0] == '\0') {
        snprintf(error, error_cap, "path: required (the file to append messages to)");
        return 0;
    }
    return 1;
}

/* ---- the callbacks: three required, one optional ---------------------------------------------- */

/* init — required. Called once per configured destination, before any send(), on the daemon's main
 * thread (also by `outboxd check-config`). config_json is the destination's `config:` mapping as
 * JSON text (at least "{}"); host stays valid until shutdown(). On success store the instance in
 * *state and return 0. On failure write one line "key: reason" into error (error_cap bytes, owned
 * by the daemon) and return non-zero; the daemon prints it and refuses to start. Whatever is in
 * *state is passed to shutdown() either way, so setting it first makes cleanup a single path. */
static int example_init(const outboxd_host *host, const char *config_json, void **state,
                        char *error, size_t error_cap) {
    char line[512];
    example_state *s = calloc(1, sizeof *s);
    *state = s;
    if (s == NULL) {
        snprintf(error, error_cap, "out of memory");
        return 1;
    }
    s->host = host;
    (void)config_json; /* read through host's getters instead */
    if (!example_read_config(host, s, error, error_cap)) return 1;
    s->file = fopen(s->path, "a");
    if (s->file == NULL) {
        snprintf(error, error_cap, "path: cannot open '%s' for appending: %s", s->path,
                 strerror(errno));
        return 1;
    }
    /* The daemon prefixes the line with "plugin example[<destination>]: ". */
    snprintf(line, sizeof line, "appending messages to %s", s->path);
    host->log(host->ctx, OUTBOXD_LOG_INFO, line);
    return 0;
}

/* The rule that makes a message unsendable whatever happens, written once for validate() and
 * send(): this plugin writes no line for a payload that is JSON null. Parse the payload rather than
 * compare text: validate() sees the JSON as the client sent it (any spacing), send() as PostgreSQL
 * stores it. Returns 1 and writes "field: reason" into error when the message can never be sent. */
static int example_refusal(const outboxd_message *msg, char *error, size_t error_cap) {
    const char *p = msg->payload;
    const char *end = msg->payload + msg->payload_len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
        snprintf(error, error_cap, "payload: is null; this plugin writes only payloads with content");
        return 1;
    }
    return 0;
}

/* validate — optional. Says whether a message could ever be sent, before it is enqueued: the HTTP
 * API and `outboxd enqueue` refuse it with this line (422) instead of storing a message that would
 * only go dead. Return 0 when it could be sent. It must be thread-safe even without
 * OUTBOXD_PLUGIN_THREAD_SAFE (it may run alongside send()), do no I/O and not block: judge only
 * the message and the config. msg->id is "" here (the message has none yet). Messages enqueued
 * through SQL are never validated, so send() applies the same rule. */
static int example_validate(void *state, const outboxd_message *msg, char *error, size_t error_cap) {
    (void)state;
    return example_refusal(msg, error, error_cap);
}

/* send — required. Delivers one message. Every pointer in msg belongs to the daemon and is valid
 * only until this call returns: copy what you need to keep. msg->id is stable across retries, so a
 * real sender passes it on as the idempotency key (HTTP header, Message-ID, task id).
 * The daemon has already set result to OK, retry_after_ms -1 and error "". Change status to
 * OUTBOXD_RETRY for a failure that may go away (the daemon retries later, up to max_attempts) or
 * OUTBOXD_PERMANENT for one that never will (the message becomes 'dead' at once), and write one
 * line into result->error saying what failed.
 * Return within msg->timeout_ms: a network plugin sets its connect and I/O timeouts from it.
 * Concurrency: this table does not set OUTBOXD_PLUGIN_THREAD_SAFE, so the daemon never calls send()
 * on one instance from two threads at once (different instances may run in parallel). */
static void example_send(void *state, const outboxd_message *msg, outboxd_result *result) {
    example_state *s = state;
    if (example_refusal(msg, result->error, result->error_cap)) {
        /* Sending it again cannot help: this is what PERMANENT is for. */
        result->status = OUTBOXD_PERMANENT;
        return;
    }
    if (memchr(msg->payload, '\n', msg->payload_len) != NULL) {
        /* Sending it again cannot help: this is what PERMANENT is for. */
        result->status = OUTBOXD_PERMANENT;
        snprintf(result->error, result->error_cap,
                 "payload contains a line break; this plugin writes one line per message");
        return;
    }
    fputs(msg->id, s->file);
    fputc(' ', s->file);
    fputs(msg->destination, s->file);
    fputc(' ', s->file);
    fwrite(msg->payload, 1, msg->payload_len, s->file);
    fputc('\n', s->file);
    if (fflush(s->file) != 0 || ferror(s->file)) {
        /* A full disk or a lost mount may recover: RETRY. retry_after_ms stays -1, so the daemon's
         * backoff (attempt^4 seconds, capped by max_backoff) picks the delay; set it to a number of
         * milliseconds when the receiver says how long to wait (e.g. HTTP Retry-After). */
        result->status = OUTBOXD_RETRY;
        snprintf(result->error, result->error_cap, "write to '%s' failed: %s", s->path,
                 strerror(errno));
        clearerr(s->file);
    }
}

/* shutdown — required. Frees the instance. Called exactly once for every init(), a failed one
 * included (then state is whatever init() left in *state, possibly NULL), after the last send() of
 * that instance has returned. It must not fail. */
static void example_shutdown(void *state) {
    example_state *s = state;
    if (s == NULL) return;
    if (s->file != NULL) fclose(s->file);
    free(s);
}

/* The table the daemon reads. abi_version and struct_size come from the header this file was
 * compiled against; the daemon refuses a plugin built against another ABI version. */
static const outboxd_plugin example_table = {
    OUTBOXD_PLUGIN_ABI_VERSION, /* abi_version */
    sizeof(outboxd_plugin),     /* struct_size */
    "example",                  /* name, used in log lines */
    "1.0.0",                    /* version */
    0u,                         /* flags: not OUTBOXD_PLUGIN_THREAD_SAFE */
    example_init,
    example_send,
    example_shutdown,
    NULL,                       /* send_batch: optional; the daemon calls send() per message */
    example_validate,           /* validate: optional; NULL when only send() can tell */
};

/* The one exported symbol (OUTBOXD_EXPORT; everything else is static, and -fvisibility=hidden keeps
 * it that way). Called once, right after dlopen(); it must only return the static table. */
OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void) { return &example_table; }
