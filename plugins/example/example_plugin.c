/* example_plugin.c — the smallest complete outboxd plugin: appends one line per message to a file.
 *
 * Copy this file to start your own plugin. It is plain C99 and needs nothing but the installed
 * header <outboxd/plugin.h>:
 *
 *   cc -shared -fPIC -fvisibility=hidden -I/usr/include -o myplugin.so example_plugin.c
 *
 * Config (the destination's `config:` mapping, handed to init() as JSON):
 *   path   file to append to; required. Unknown keys are refused.
 *
 * Each message becomes one line "<id> <destination> <payload>", for example
 *   0190a0b0-0000-7000-8000-000000000001 audit {"order": 42}
 * A payload that is JSON null is refused: by validate() before it is enqueued, by send() otherwise.
 *
 * The daemon's side of every rule used here is described in docs/plugins.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <outboxd/plugin.h>

/* One configured destination. init() builds it, send() uses it, shutdown() frees it. */
typedef struct {
    const outboxd_host *host; /* owned by the daemon; valid until shutdown() returns */
    char *path;               /* config: path */
    FILE *file;               /* opened for appending in init() */
} example_state;

/* ---- config parsing ---------------------------------------------------------------------------
 * The config is a flat JSON object, so a few lines of parsing are enough and the example needs no
 * library. A plugin with a richer config should use a JSON library (jansson, json-c, cJSON, ...). */

static const char *example_skip_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
    return p;
}

/* Reads the JSON string starting at *p (at its opening quote) into a new malloc'd buffer and moves
 * *p past the closing quote. Returns NULL on a malformed string, or one this parser does not handle
 * (a \u escape outside ASCII; the daemon writes other characters as plain UTF-8). */
static char *example_read_string(const char **p) {
    const char *s = *p + 1;
    char *out = malloc(strlen(s) + 1); /* the decoded string is never longer than the source */
    size_t n = 0;
    if (out == NULL) return NULL;
    while (*s != '"') {
        char c = *s++;
        if (c == '\0' || (unsigned char)c < 0x20) goto bad; /* unterminated, or raw control char */
        if (c == '\\') {
            c = *s++;
            switch (c) {
            case '"': case '\\': case '/': break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': { /* \uXXXX: four hex digits */
                unsigned code = 0;
                int i;
                for (i = 0; i < 4; ++i, ++s) {
                    if (!isxdigit((unsigned char)*s)) goto bad;
                    code = code * 16 + (unsigned)(isdigit((unsigned char)*s) ? *s - '0'
                                                                              : tolower(*s) - 'a' + 10);
                }
                if (code == 0 || code > 0x7f) goto bad;
                c = (char)code;
                break;
            }
            default: goto bad;
            }
        }
        out[n++] = c;
    }
    out[n] = '\0';
    *p = s + 1;
    return out;
bad:
    free(out);
    return NULL;
}

/* What a JSON value starting at p is, for error messages. */
static const char *example_json_type(const char *p) {
    switch (*p) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "string";
    case 't': case 'f': return "boolean";
    case 'n': return "null";
    case '\0': return "nothing";
    default: return "number";
    }
}

/* Fills s->path from config_json. On failure writes "key: reason" (or a whole-config reason) into
 * error and returns 0. */
static int example_parse_config(const char *config_json, example_state *s, char *error,
                                size_t error_cap) {
    const char *p = example_skip_space(config_json != NULL ? config_json : "{}");
    if (*p != '{') {
        if (strchr("[\"tfn-0123456789", *p) != NULL && *p != '\0')
            snprintf(error, error_cap, "config must be a JSON object, got %s", example_json_type(p));
        else
            snprintf(error, error_cap, "config is not valid JSON");
        return 0;
    }
    p = example_skip_space(p + 1);
    while (*p != '}') {
        char *key;
        if (*p != '"' || (key = example_read_string(&p)) == NULL) {
            snprintf(error, error_cap, "config is not valid JSON: expected a quoted key");
            return 0;
        }
        if (strcmp(key, "path") != 0) {
            snprintf(error, error_cap, "unknown key '%s' (known: path)", key);
            free(key);
            return 0;
        }
        free(key);
        p = example_skip_space(p);
        if (*p != ':') {
            snprintf(error, error_cap, "config is not valid JSON: expected ':' after a key");
            return 0;
        }
        p = example_skip_space(p + 1);
        if (*p != '"') {
            snprintf(error, error_cap, "path: must be a string (a file name), got %s",
                     example_json_type(p));
            return 0;
        }
        free(s->path); /* a repeated key: the last one wins, as in most JSON readers */
        if ((s->path = example_read_string(&p)) == NULL) {
            snprintf(error, error_cap, "path: not a valid JSON string");
            return 0;
        }
        p = example_skip_space(p);
        if (*p == ',') {
            p = example_skip_space(p + 1);
            if (*p == '}') {
                snprintf(error, error_cap, "config is not valid JSON: ',' before '}'");
                return 0;
            }
        } else if (*p != '}') {
            snprintf(error, error_cap, "config is not valid JSON: expected ',' or '}'");
            return 0;
        }
    }
    if (*example_skip_space(p + 1) != '\0') {
        snprintf(error, error_cap, "config is not valid JSON: text after the closing '}'");
        return 0;
    }
    if (s->path == NULL || s->path[0] == '\0') {
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
    if (!example_parse_config(config_json, s, error, error_cap)) return 1;
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
    free(s->path);
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
