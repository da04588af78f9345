/* store.h: the device's offline store (SQLite): schema, migrations, drafts, outbox. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "keyring.h"

G_BEGIN_DECLS

/*
 * One ClmrsStore is one connection.  It is not thread-safe: the owner uses
 * it from one thread at a time (the app keeps it on a worker thread).
 *
 * Durability: WAL journal, synchronous=FULL, foreign keys on, every state
 * change inside a transaction.  A power cut at any instant loses at most
 * the answer being written and never corrupts the database.
 */

#define CLMRS_STORE_ERROR (clmrs_store_error_quark ())

typedef enum {
  CLMRS_STORE_ERROR_SQLITE,     /* the database said no: the message carries SQLite's */
  CLMRS_STORE_ERROR_VERSION,    /* made by a newer program than this one */
  CLMRS_STORE_ERROR_NOT_FOUND,  /* no such record */
  CLMRS_STORE_ERROR_STATE,      /* e.g. a finalised visit changed as a draft */
  CLMRS_STORE_ERROR_INVALID,    /* a value that breaks the data model */
  CLMRS_STORE_ERROR_PIN,        /* wrong PIN */
  CLMRS_STORE_ERROR_PIN_NOT_SET, /* the person has no PIN yet: they choose one (clmrs_store_set_own_pin) */
  CLMRS_STORE_ERROR_LOCKED,     /* an encrypted database and nobody signed in (no key held) */
} ClmrsStoreError;

GQuark clmrs_store_error_quark (void);

typedef struct _ClmrsStore ClmrsStore;

/* The number of the newest schema this program knows. */
#define CLMRS_STORE_SCHEMA_VERSION 11

/* SQL condition: the visit whose id is the SQL expression @visit_id
 * ("v.id") has no finalised correction (a visit whose `corrects` names
 * it; true for NULL).  What a corrected visit recorded (assessments, a
 * closure, a child moved, supports, a session) counts nowhere: its
 * correction's does. */
#define CLMRS_SQL_NOT_CORRECTED(visit_id) \
  "NOT EXISTS (SELECT 1 FROM visits corr_ WHERE corr_.corrects = " visit_id " AND corr_.state = 'final')"

/* Plain, or encrypted with the key held for @path (else CLMRS_STORE_ERROR_LOCKED). */
ClmrsStore  *clmrs_store_open               (const char   *path,
                                             GError      **error);
/* Through the encrypting VFS with @key; creates an encrypted database when missing. */
ClmrsStore  *clmrs_store_open_encrypted     (const char          *path,
                                             const ClmrsDataKey  *key,
                                             GError             **error);
/* The key of the encrypted database at @path, held (a copy, in guarded
 * memory) while someone is signed in: clmrs_store_open() uses it. */
void         clmrs_store_hold_key           (const char          *path,
                                             const ClmrsDataKey  *key);
/* Wipes the held key (lock, sign-out); open stores keep working until closed. */
void         clmrs_store_release_key        (const char          *path);
/* A copy of the key held for @path (free it: it is wiped), or NULL when
 * nobody is signed in: for what someone signed in does with the keyring
 * (a colleague added). */
ClmrsDataKey *clmrs_store_dup_held_key      (const char          *path);
void         clmrs_store_close              (ClmrsStore   *store);
int          clmrs_store_get_schema_version (ClmrsStore   *store);
const char  *clmrs_store_get_device_id      (ClmrsStore   *store);
const char  *clmrs_store_get_path           (ClmrsStore   *store);
sqlite3     *clmrs_store_get_db             (ClmrsStore   *store);

/* Transactions (BEGIN IMMEDIATE; nested calls are an error). */
gboolean     clmrs_store_begin              (ClmrsStore   *store,
                                             GError      **error);
gboolean     clmrs_store_commit             (ClmrsStore   *store,
                                             GError      **error);
void         clmrs_store_rollback           (ClmrsStore   *store);
gboolean     clmrs_store_in_transaction     (ClmrsStore   *store);

/* Erases every record, draft, queued envelope, person and the token (a
 * revoked device told to wipe, or a device being retired); keeps only the
 * device id and when it was wiped.  The file is rewritten (VACUUM) and
 * its WAL truncated, so nothing erased stays in either. */
gboolean     clmrs_store_wipe               (ClmrsStore   *store,
                                             GError      **error);

/* Who is signed in on this connection (NULL: nobody, as for the CLI). */
void         clmrs_store_set_actor          (ClmrsStore   *store,
                                             const char   *person_id);
const char  *clmrs_store_get_actor          (ClmrsStore   *store);

/* Runs @sql, whose one parameter is the time @days ago (RFC 3339 UTC), and
 * sets @changed to the rows it changed: what pruning what the server has
 * held long enough looks like. */
gboolean     clmrs_store_exec_older_than    (ClmrsStore   *store,
                                             const char   *sql,
                                             guint         days,
                                             gint64       *changed,
                                             GError      **error);

/* Runs @sql (no results expected); errors carry SQLite's message and the statement. */
gboolean     clmrs_store_exec               (ClmrsStore   *store,
                                             const char   *sql,
                                             GError      **error);
sqlite3_stmt*clmrs_store_prepare            (ClmrsStore   *store,
                                             const char   *sql,
                                             GError      **error);
gboolean     clmrs_store_step_done          (ClmrsStore   *store,
                                             sqlite3_stmt *stmt,
                                             GError      **error);   /* steps to SQLITE_DONE and finalizes */

/* One step of a statement: a row, the end, or an error set with SQLite's
 * message (never "no row" for a failed step). */
typedef enum {
  CLMRS_STEP_ERROR = -1,
  CLMRS_STEP_DONE = 0,
  CLMRS_STEP_ROW = 1,
} ClmrsStep;

ClmrsStep    clmrs_store_step               (ClmrsStore   *store,
                                             sqlite3_stmt *stmt,
                                             GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* A copy of the text in @column of the current row, NULL for SQL NULL. */
char        *clmrs_store_column_dup         (sqlite3_stmt *stmt,
                                             int           column);

/* The value under @key in @value (NULL when there is none); FALSE with
 * @error when it cannot be read. */
gboolean     clmrs_store_get_meta           (ClmrsStore   *store,
                                             const char   *key,
                                             char        **value,
                                             GError      **error);
gboolean     clmrs_store_set_meta           (ClmrsStore   *store,
                                             const char   *key,
                                             const char   *value,
                                             GError      **error);

/* People and places. */
gboolean     clmrs_store_add_community      (ClmrsStore   *store,
                                             const char   *id,
                                             const char   *name,
                                             const char   *district,
                                             const char   *country,
                                             GError      **error);
gboolean     clmrs_store_add_facilitator    (ClmrsStore   *store,
                                             const char   *id,
                                             const char   *name,
                                             const char   *sex,
                                             const char   *role,          /* "facilitator" or "supervisor" */
                                             const char   *pin,           /* stored as a salted slow hash */
                                             GError      **error);
gboolean     clmrs_store_check_pin          (ClmrsStore   *store,
                                             const char   *facilitator_id,
                                             const char   *pin,
                                             GError      **error);       /* CLMRS_STORE_ERROR_PIN when wrong */

/* What a person signs in with. */
typedef enum {
  CLMRS_PIN_STATE_SET,        /* their own PIN */
  CLMRS_PIN_STATE_NONE,       /* none yet: they choose one at their first sign-in */
  CLMRS_PIN_STATE_ONE_TIME,   /* the one-time PIN the server gave: they sign in with it once, then choose their own */
} ClmrsPinState;

gboolean     clmrs_store_get_pin_state      (ClmrsStore    *store,
                                             const char    *facilitator_id,
                                             ClmrsPinState *state,
                                             GError       **error);       /* CLMRS_STORE_ERROR_NOT_FOUND: no active person */
gboolean     clmrs_store_set_own_pin        (ClmrsStore    *store,
                                             const char    *facilitator_id,
                                             const char    *one_time_pin,  /* the one-time PIN when there is one, else NULL */
                                             const char    *new_pin,       /* clmrs_pin_is_acceptable(): 6 to 12 digits */
                                             GError       **error);
/* The people the server sends (its `people` array: {id, name, sex, role,
 * one_time_pin_hash, disabled}), applied in one transaction. */
gboolean     clmrs_store_apply_people       (ClmrsStore    *store,
                                             JsonArray     *people,
                                             guint         *changed,       /* (out) (optional): people added or changed */
                                             GError       **error);
/* The active people set up on this device ({id, name, sex, role}), as a device declares them at enrolment. */
JsonNode    *clmrs_store_list_people_json   (ClmrsStore    *store,
                                             GError       **error);

/* Drafts: every answer is written as it is set. */
char        *clmrs_store_draft_create       (ClmrsStore   *store,
                                             const char   *kind,          /* household follow_up support awareness community closure */
                                             const char   *form_id,
                                             const char   *form_version,
                                             const char   *facilitator_id,
                                             const char   *community_id,
                                             const char   *household_id,  /* nullable */
                                             const char   *child_id,      /* nullable */
                                             GError      **error);
gboolean     clmrs_store_draft_save_answer  (ClmrsStore   *store,
                                             const char   *visit_id,
                                             const char   *ref,
                                             const char   *value,         /* NULL clears */
                                             GError      **error);
gboolean     clmrs_store_draft_save_all     (ClmrsStore   *store,
                                             const char   *visit_id,
                                             GPtrArray    *values,        /* (element-type ClmrsFormValue), after a repeat is added or removed */
                                             GError      **error);
GPtrArray   *clmrs_store_draft_load         (ClmrsStore   *store,
                                             const char   *visit_id,
                                             GError      **error);       /* (element-type ClmrsFormValue) in saved order */
/* A draft correcting finalised visit @visit_id, which a supervisor
 * returned: of its kind, form, household and child, with
 * @values (its answers) saved, and `corrects` naming it; in one
 * transaction.  A draft of @facilitator_id correcting it already is
 * returned again rather than a second made.  CLMRS_STORE_ERROR_STATE when
 * the visit was not returned or a finalised correction exists. */
char        *clmrs_store_draft_create_correction (ClmrsStore   *store,
                                                  const char   *visit_id,
                                                  const char   *facilitator_id,
                                                  const char   *form_version,  /* of @values; NULL: the visit's */
                                                  GPtrArray    *values,  /* (element-type ClmrsFormValue) */
                                                  GError      **error);
/* Moves draft @visit_id to @form_version of its form: a draft begun on a
 * built-in version a newer build no longer ships continues on the newest,
 * and its record names the version it was finished with. */
gboolean     clmrs_store_draft_set_form_version (ClmrsStore   *store,
                                                 const char   *visit_id,
                                                 const char   *form_version,
                                                 GError      **error);
gboolean     clmrs_store_draft_discard      (ClmrsStore   *store,
                                             const char   *visit_id,
                                             GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsStore, clmrs_store_close)

G_END_DECLS
