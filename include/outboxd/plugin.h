/* plugin.h — the C ABI between the outboxd daemon and its sender plugins.
 *
 * A plugin is a shared object that exports exactly one function, outboxd_plugin_entry(), which returns
 * a pointer to a static, fully initialised outboxd_plugin table. The daemon dlopen()s the file, checks
 * abi_version and struct_size before touching anything else, then calls init() once per configured
 * destination, send() once per message, and shutdown() once per successful or failed init(); the
 * optional validate() checks a message before it is enqueued.
 *
 * Rules of the boundary:
 *  - Plain C99; nothing may throw across it. A plugin written in C++ catches everything in each
 *    callback and reports it through the result or the error buffer.
 *  - Members are only ever appended. Reordering or removing one bumps OUTBOXD_PLUGIN_ABI_VERSION.
 *    struct_size on each side tells which members the other side knows about.
 */
#ifndef OUTBOXD_PLUGIN_H
#define OUTBOXD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump only on an incompatible change; the loader refuses any other number. */
#define OUTBOXD_PLUGIN_ABI_VERSION 1u

#if defined(__GNUC__)
#define OUTBOXD_EXPORT __attribute__((visibility("default")))
#else
#define OUTBOXD_EXPORT
#endif

/* What the plugin says about one delivery attempt; the daemon decides what happens next. */
typedef enum {
    OUTBOXD_OK = 0,        /* delivered: the message becomes 'delivered' */
    OUTBOXD_RETRY = 1,     /* transient failure: try again later (if attempts are left) */
    OUTBOXD_PERMANENT = 2  /* will never succeed: the message becomes 'dead' at once */
} outboxd_status;

/* Log levels for outboxd_host.log, in increasing severity. */
enum {
    OUTBOXD_LOG_DEBUG = 0,
    OUTBOXD_LOG_INFO = 1,
    OUTBOXD_LOG_WARN = 2,
    OUTBOXD_LOG_ERROR = 3
};

/* One message to deliver. Owned by the host; every pointer is valid only during the send() call
 * that receives it. Strings are NUL-terminated; payload is also given with its length. */
typedef struct {
    uint32_t struct_size;     /* sizeof(outboxd_message) as the host saw it */
    const char *id;           /* the message's UUID as text, stable across retries: the idempotency
                                 key every plugin passes on (HTTP header, Message-ID, task id) */
    const char *destination;  /* configured destination name, e.g. "orders-webhook" */
    const char *payload;      /* the JSON payload exactly as stored */
    size_t payload_len;
    const char *headers_json; /* JSON object text, at least "{}" */
    int32_t attempt;          /* 1 on the first try */
    int32_t timeout_ms;       /* send() must return within this many milliseconds */

    /* ---- Appended after ABI 1 was first released: read only when struct_size covers it. ---- */

    /* When the message is due (its available_at), in Unix epoch milliseconds. At or before now
     * unless the plugin has OUTBOXD_PLUGIN_SCHEDULES_AHEAD, which may be handed a message early,
     * on its first attempt, to schedule it downstream for this time. */
    int64_t available_at_ms;
} outboxd_message;

/* The outcome of one send(). The host resets it before each call to: status OUTBOXD_OK,
 * retry_after_ms -1, error "" (error points at a host buffer of error_cap bytes). */
typedef struct {
    outboxd_status status;
    int64_t retry_after_ms;   /* RETRY only: wait this long; -1 lets the daemon's backoff decide */
    char *error;              /* host-owned buffer: one line saying what failed (NUL-terminated);
                                 with OK, if non-empty, kept in the error history (still delivered) */
    size_t error_cap;
} outboxd_result;

/* Services the daemon offers to plugins. Valid from init() until shutdown() returns. */
typedef struct {
    uint32_t abi_version;     /* OUTBOXD_PLUGIN_ABI_VERSION of the daemon */
    uint32_t struct_size;     /* sizeof(outboxd_host) as the daemon saw it */
    void *ctx;                /* pass back as the first argument of log() */
    /* The daemon's logger; the line is prefixed with the plugin and destination names.
     * Thread-safe; may be called from any callback. */
    void (*log)(void *ctx, int level, const char *message);

    /* ---- Appended after ABI 1 was first released: a plugin uses one only when
     * OUTBOXD_HOST_HAS(host, member) says the daemon's struct_size covers it (older daemons). ----
     *
     * Typed reads of the destination's config (the same object init() gets as config_json), so a C
     * plugin needs no JSON parser. Pass host->ctx as ctx. Each getter returns an
     * outboxd_config_status: OK sets *value; MISSING (the key is not there) leaves *value and error
     * alone, so the plugin applies its default or says the key is required; INVALID writes one line
     * "key: reason" into error (error_cap bytes; hand on init()'s own buffer) and leaves *value
     * alone. A string's *value is host-owned, NUL-terminated and valid until shutdown() returns.
     * Callable from init() onwards; thread-safe. */
    int (*config_int)(void *ctx, const char *key, int64_t min, int64_t max, int64_t *value, char *error,
                      size_t error_cap);
    int (*config_bool)(void *ctx, const char *key, int *value, char *error, size_t error_cap);
    int (*config_string)(void *ctx, const char *key, const char **value, char *error, size_t error_cap);
    /* Refuses a config with a key that is not one of known[0..count-1] ("unknown key 'x' (known: a,
     * b)") or that is not a JSON object: returns OUTBOXD_CONFIG_INVALID with that line in error,
     * else OUTBOXD_CONFIG_OK. */
    int (*config_check_keys)(void *ctx, const char *const *known, size_t count, char *error,
                             size_t error_cap);
} outboxd_host;

/* What the outboxd_host config getters return. */
enum {
    OUTBOXD_CONFIG_OK = 0,      /* found and of the asked type (and range): *value is set */
    OUTBOXD_CONFIG_MISSING = 1, /* the key is not in the config */
    OUTBOXD_CONFIG_INVALID = 2  /* there, but wrong: error holds "key: reason" */
};

/* True when the daemon that filled `host` provides `member` (one appended after ABI 1's first
 * release), e.g. OUTBOXD_HOST_HAS(host, config_int). */
#define OUTBOXD_HOST_HAS(host, member)                                                        \
    ((host)->struct_size >= offsetof(outboxd_host, member) + sizeof((host)->member) &&        \
     (host)->member != NULL)

/* send() may be called concurrently on one instance (from several worker threads). Without this
 * flag the host calls one instance from one thread at a time. */
#define OUTBOXD_PLUGIN_THREAD_SAFE 0x1u

/* "Hand me a message on its first attempt as soon as it is enqueued, even if its available_at is
 * in the future; I schedule it downstream" (e.g. a queue with delayed jobs). Only the first attempt
 * comes early: a retry waits in the outbox for its backoff, and never comes before its own
 * available_at. msg->available_at_ms says when the message is due. Without this flag a plugin only
 * sees messages that are due. */
#define OUTBOXD_PLUGIN_SCHEDULES_AHEAD 0x2u

typedef struct {
    uint32_t abi_version;     /* OUTBOXD_PLUGIN_ABI_VERSION the plugin was built against */
    uint32_t struct_size;     /* sizeof(outboxd_plugin) as the plugin saw it */
    const char *name;         /* short name, e.g. "webhook" */
    const char *version;      /* the plugin's own version, e.g. "1.0.0" */
    uint32_t flags;           /* OUTBOXD_PLUGIN_* bits */

    /* Required. Called once per configured destination, before any send(). config_json is the
     * destination's `config:` subtree as JSON object text (at least "{}"); the plugin validates it,
     * rejects unknown keys, and on failure writes "key: reason" into error and returns non-zero.
     * On success it stores its instance in *state and returns 0. host outlives the instance. */
    int (*init)(const outboxd_host *host, const char *config_json, void **state, char *error,
                size_t error_cap);

    /* Required. Deliver one message and fill result. Must return within msg->timeout_ms.
     * Concurrency: see OUTBOXD_PLUGIN_THREAD_SAFE. */
    void (*send)(void *state, const outboxd_message *msg, outboxd_result *result);

    /* Required. Frees the instance. Called once for every init() (also a failed one, with the
     * *state it left, possibly NULL), after the last send() of that instance has returned. */
    void (*shutdown)(void *state);

    /* ---- Members below were appended after the first table; the host uses one only when
     * struct_size covers it. Members are only ever appended. ---- */

    /* Optional; NULL makes the host call send() once per message. Delivers `count` messages of one
     * claimed batch and fills results[i] for msgs[i]; the host resets every result first, exactly
     * as for send(). The messages share a destination and never an ordering key (several messages
     * of one key come in as many calls, in order), so they may be
     * sent in any order or at once (pipelined, or with the curl multi interface): this is how a
     * plugin delivers a batch concurrently or in one round trip. Must return within the largest
     * msgs[i].timeout_ms. Called under the same OUTBOXD_PLUGIN_THREAD_SAFE rule as send().
     * Everything passed is host-owned and valid only during the call.
     * msgs and results are arrays of pointers, not of structs, so that outboxd_message and
     * outboxd_result can keep growing by appended members (each says its size in struct_size or
     * by the rule above) without a plugin built against smaller structs indexing them wrongly. */
    void (*send_batch)(void *state, const outboxd_message *const *msgs, outboxd_result *const *results,
                       size_t count);

    /* Optional; NULL (or a struct_size that does not cover it) means the plugin cannot tell before
     * sending. Says whether `msg` could ever be sent by this instance, without sending it: returns 0
     * when it could, non-zero when it never can, with one line "field: reason" in error (error_cap
     * bytes, host-owned), the field named from the message's top: "payload.to[1]: 'bob' is not an
     * address (no @)", "headers.webhook-url: host evil.example is not in allowed_hosts". Only
     * refuse what send() would fail with OUTBOXD_PERMANENT whatever the receiver says; a message
     * that validate() passes may still fail in send().
     * The host calls it before it enqueues a message (the HTTP API, `outboxd enqueue`) and refuses
     * the message with that line instead of storing one that would go dead; messages enqueued
     * through SQL are never validated, so send() must still refuse them itself (use the same code).
     * msg is as send() would get it, except: id is "" and attempt 0 (the message has no id yet),
     * timeout_ms 0, available_at_ms 0, and payload and headers_json are the JSON text the client
     * sent (the same value as send() later gets from jsonb, which may space and write numbers
     * differently: parse it, never compare text).
     * Contract: thread-safe whatever the flags say: it may run on several threads at once and
     * concurrently with send() and send_batch() on the same instance; no I/O of any kind (no DNS, no
     * connection, no file, no logging in a loop) and nothing that blocks; time bounded by the
     * message's size. Called only between a successful init() and shutdown(). */
    int (*validate)(void *state, const outboxd_message *msg, char *error, size_t error_cap);
} outboxd_plugin;

/* The one exported symbol. Returns a static table; must not fail or allocate. */
typedef const outboxd_plugin *(*outboxd_plugin_entry_fn)(void);
OUTBOXD_EXPORT const outboxd_plugin *outboxd_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* OUTBOXD_PLUGIN_H */
