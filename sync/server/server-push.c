/* server-push.c: a device's batch of records, decided one by one in one transaction.
 *
 * The server trusts no field a device sends without checking it against
 * who sent it.  A record is stored only when
 *  - its community is one of the pushing device's;
 *  - its body holds what every device needs to apply it (the core's
 *    clmrs_record_check_body(), the check devices run on what they pull);
 *  - what it points at (a child's household, a review's visit, …) is a
 *    stored record of that type in the same community, or comes earlier
 *    in the same batch (records are decided in dependency order);
 *  - its `device_id` is the local id the pushing device stamps its
 *    records with (bound at its first push);
 *  - a new revision comes from the device that owns the record: the one
 *    that created it, or one it was handed to (`clmrs-server hand-over`);
 *  - its `rev` grows from the stored one by at most SERVER_MAX_REV_STEP;
 *  - its `author` is a person the server knows (server-people.c), not
 *    disabled, working in the record's community; one a device declared
 *    at enrolment authors only records that device pushes; and a review
 *    (approving or returning a visit) comes from a supervisor.
 * A rejection never says what exists outside the device's communities.
 */
#define G_LOG_DOMAIN "clmrs-server"

#include "server-private.h"
#include "wire.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  ClmrsEnvelope *env;
  const char    *line;
  gsize          length;
  guint          line_no;
  char          *invalid;    /* why no device could apply the body, or NULL */
  GPtrArray     *refs;       /* (element-type ClmrsRecordRef) what the body points at */
  const char    *result;     /* once decided */
  char          *reason;
} PushLine;

static void
push_line_clear (gpointer data)
{
  PushLine *pl = data;

  clmrs_envelope_free (pl->env);
  g_free (pl->invalid);
  g_clear_pointer (&pl->refs, g_ptr_array_unref);
  g_free (pl->reason);
}

/* A stored record's identity: who may revise it, and where it belongs. */
typedef struct {
  char   *type;
  char   *community_id;
  char   *device_id;     /* the owner */
  gint64  max_rev;
} Owner;

static void
owner_free (gpointer data)
{
  Owner *owner = data;

  g_free (owner->type);
  g_free (owner->community_id);
  g_free (owner->device_id);
  g_free (owner);
}

/* Most records rows a multi-row INSERT writes at once. */
#define FLUSH_ROWS 64

/* What a batch's decisions read from the database, read once a batch
 * (each statement is a round trip to PostgreSQL: asked record by record,
 * a 1,000-record batch cost about 7,000 of them) and kept up to date as
 * the batch's own records are decided.  Nothing else changes these rows
 * meanwhile: the push holds the write lock.  The records decided stored
 * are written a few dozen rows a statement, in the order decided (their
 * seqs keep it), before anything reads the records table and before the
 * commit. */
typedef struct {
  GHashTable *owners;      /* id -> Owner, for every id the batch names that is stored */
  GHashTable *revisions;   /* "id\nrev" -> the sha256 stored, for the batch's own ids */
  GHashTable *scopes;      /* community id -> whether the device has it */
  GHashTable *authors;     /* "author\ncommunity\nclass" -> why not ("" when they may) */
  GPtrArray  *pending;     /* (element-type PushLine) stored, not yet written */
} PushBatch;

static void
push_batch_clear (PushBatch *batch)
{
  g_clear_pointer (&batch->owners, g_hash_table_unref);
  g_clear_pointer (&batch->revisions, g_hash_table_unref);
  g_clear_pointer (&batch->scopes, g_hash_table_unref);
  g_clear_pointer (&batch->authors, g_hash_table_unref);
  g_clear_pointer (&batch->pending, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PushBatch, push_batch_clear)

static char *
revision_key (const char *id,
              gint64      rev)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT, id, rev);
}

/* The ids of @order as a JSON array, the one parameter of a lookup (the
 * referenced ids too, with @refs). */
static char *
ids_json (GPtrArray *order,
          gboolean   refs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < order->len; i++)
    {
      PushLine *pl = g_ptr_array_index (order, i);

      json_builder_add_string_value (b, pl->env->id);
      for (guint r = 0; refs && r < pl->refs->len; r++)
        json_builder_add_string_value (b, ((ClmrsRecordRef *) g_ptr_array_index (pl->refs, r))->id);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Reads the owners of every id @order names and the revisions stored
 * under its records' ids: two statements, whatever the batch's size. */
static gboolean
push_batch_load (ServerDb    *db,
                 PushBatch   *batch,
                 GPtrArray   *order,
                 GError     **error)
{
  g_autofree char *all_ids = ids_json (order, TRUE);
  g_autofree char *own_ids = ids_json (order, FALSE);
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  batch->owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, owner_free);
  batch->revisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  batch->scopes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  batch->authors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  batch->pending = g_ptr_array_new ();

  stmt = db_prepare (db, db_dialect (db,
      "SELECT id, type, community_id, device_id, max_rev FROM record_owners "
      "WHERE id IN (SELECT value FROM json_each (?1))",
      "SELECT id, type, community_id, device_id, max_rev FROM record_owners "
      "WHERE id IN (SELECT json_array_elements_text (CAST (?1 AS json)))"), error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, all_ids);
  while ((rc = db_step (stmt)) == DB_ROW)
    {
      Owner *owner = g_new0 (Owner, 1);

      owner->type = g_strdup (db_column_text (stmt, 1));
      owner->community_id = g_strdup (db_column_text (stmt, 2));
      owner->device_id = g_strdup (db_column_text (stmt, 3));
      owner->max_rev = db_column_int64 (stmt, 4);
      g_hash_table_replace (batch->owners, g_strdup (db_column_text (stmt, 0)), owner);
    }
  if (rc != DB_DONE)
    return db_fail (db, "record owner lookup", error);
  g_clear_pointer (&stmt, db_finalize);

  stmt = db_prepare (db, db_dialect (db,
      "SELECT id, rev, sha256 FROM records WHERE kind = 'record' "
      "AND id IN (SELECT value FROM json_each (?1))",
      "SELECT id, rev, sha256 FROM records WHERE kind = 'record' "
      "AND id IN (SELECT json_array_elements_text (CAST (?1 AS json)))"), error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, own_ids);
  while ((rc = db_step (stmt)) == DB_ROW)
    g_hash_table_replace (batch->revisions, revision_key (db_column_text (stmt, 0), db_column_int64 (stmt, 1)),
                          g_strdup (db_column_text (stmt, 2)));
  if (rc != DB_DONE)
    return db_fail (db, "lookup", error);
  return TRUE;
}

static gboolean
device_has_community (ServerDb    *db,
                      PushBatch   *batch,
                      const char  *device_id,
                      const char  *community_id,
                      gboolean    *out,
                      GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  gpointer known;
  int rc;

  if (community_id != NULL && g_hash_table_lookup_extended (batch->scopes, community_id, NULL, &known))
    {
      *out = GPOINTER_TO_INT (known);
      return TRUE;
    }
  stmt = db_prepare (db, "SELECT 1 FROM devices WHERE device_id = ?1 AND (all_communities != 0 OR EXISTS "
                         "(SELECT 1 FROM device_communities WHERE device_id = ?1 AND community_id = ?2))",
                     error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, community_id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "device scope", error);
  *out = rc == DB_ROW;
  if (community_id != NULL)
    g_hash_table_insert (batch->scopes, g_strdup (community_id), GINT_TO_POINTER (*out));
  return TRUE;
}

/* server_people_check_author(), asked once a batch for each author,
 * community and kind of record it tells apart (an audit, a review, any
 * other). */
static gboolean
check_author (ServerDb         *db,
              PushBatch        *batch,
              const char       *device_id,
              ClmrsEnvelope    *env,
              char            **why,
              GError          **error)
{
  const char *kind = env->type == CLMRS_RECORD_AUDIT ? "audit" : env->type == CLMRS_RECORD_REVIEW ? "review" : "";
  g_autofree char *key = NULL;
  const char *known;

  *why = NULL;
  if (env->author == NULL || env->community_id == NULL)
    return server_people_check_author (db, device_id, env->author, env->community_id, env->type, why, error);
  key = g_strdup_printf ("%s\n%s\n%s", env->author, env->community_id, kind);
  known = g_hash_table_lookup (batch->authors, key);
  if (known == NULL)
    {
      if (!server_people_check_author (db, device_id, env->author, env->community_id, env->type, why, error))
        return FALSE;
      g_hash_table_insert (batch->authors, g_steal_pointer (&key), g_strdup (*why != NULL ? *why : ""));
      return TRUE;
    }
  *why = *known != '\0' ? g_strdup (known) : NULL;
  return TRUE;
}

/* Whether @local_id is the id device @device_id stamps its records with.
 * The first push binds it, unless another device holds it: a device
 * cannot pass its records off as another's (a device skips what it
 * believes it made, so a borrowed id would hide a record from its owner). */
static gboolean
check_local_id (ServerDb    *db,
                const char  *device_id,
                const char  *local_id,
                gboolean    *ok,
                GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  *ok = FALSE;
  stmt = db_prepare (db, "SELECT device_id FROM devices WHERE local_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, local_id);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    {
      *ok = g_strcmp0 ((const char *) db_column_text (stmt, 0), device_id) == 0;
      return TRUE;
    }
  if (rc != DB_DONE)
    return db_fail (db, "device id lookup", error);
  g_clear_pointer (&stmt, db_finalize);

  stmt = db_prepare (db, "UPDATE devices SET local_id = ?1 WHERE device_id = ?2 AND local_id IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, local_id);
  db_bind_text (stmt, 2, device_id);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "binding the device id", error);
  /* no row changed: the device is bound to another id already */
  *ok = db_changes (db) == 1;
  return TRUE;
}

/* Keeps @pl's line aside in the conflicts table (once per content). */
static gboolean
store_conflict (ServerDb    *db,
                const char  *device_id,
                PushLine    *pl,
                const char  *now,
                GError     **error)
{
  g_autoptr(ServerStmt) stmt = db_prepare (db,
      "INSERT OR IGNORE INTO conflicts (id, rev, type, community_id, pushed_by, sha256, line, received) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  ClmrsEnvelope *env = pl->env;

  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, env->id);
  db_bind_int64 (stmt, 2, env->rev);
  db_bind_text (stmt, 3, clmrs_record_type_to_string (env->type));
  db_bind_text (stmt, 4, env->community_id);
  db_bind_text (stmt, 5, device_id);
  db_bind_text (stmt, 6, env->sha256);
  db_bind_blob (stmt, 7, pl->line, (int) pl->length);
  db_bind_text (stmt, 8, now);
  if (db_step (stmt) != DB_DONE)
    return db_fail (db, "storing a conflict", error);
  return TRUE;
}

/* Records @pl as stored by @device_id: its owner and revision as the
 * rest of the batch must see them, its line to be written. */
static void
push_batch_store (PushBatch   *batch,
                  const char  *device_id,
                  PushLine    *pl)
{
  ClmrsEnvelope *env = pl->env;
  Owner *owner = g_hash_table_lookup (batch->owners, env->id);

  if (owner == NULL)
    {
      owner = g_new0 (Owner, 1);
      owner->type = g_strdup (clmrs_record_type_to_string (env->type));
      owner->community_id = g_strdup (env->community_id);
      owner->device_id = g_strdup (device_id);
      owner->max_rev = env->rev;
      g_hash_table_insert (batch->owners, g_strdup (env->id), owner);
    }
  owner->max_rev = MAX (owner->max_rev, env->rev);
  g_hash_table_replace (batch->revisions, revision_key (env->id, env->rev), g_strdup (env->sha256));
  g_ptr_array_add (batch->pending, pl);
}

/* The rows of the next multi-row statement: a power of two, so a
 * connection prepares at most a handful of texts. */
static guint
flush_rows (guint left)
{
  guint n = FLUSH_ROWS;

  while (n > left)
    n /= 2;
  return n;
}

static ServerStmt *
prepare_rows (ServerDb    *db,
              const char  *head,
              const char  *row,
              guint        n,
              const char  *tail,
              GError     **error)
{
  g_autoptr(GString) sql = g_string_new (head);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s%s", i > 0 ? ", " : "", row);
  g_string_append (sql, tail);
  return db_prepare (db, sql->str, error);
}

/* Writes the records decided stored so far, in the order decided, and
 * their owners (one row an id, at its highest revision). */
static gboolean
push_batch_flush (ServerDb    *db,
                  PushBatch   *batch,
                  const char  *device_id,
                  const char  *now,
                  GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) owners = g_ptr_array_new ();
  GPtrArray *pending = batch->pending;

  for (guint done = 0, n; done < pending->len; done += n)
    {
      g_autoptr(ServerStmt) stmt = NULL;

      n = flush_rows (pending->len - done);
      stmt = prepare_rows (db, "INSERT INTO records (kind, id, rev, type, community_id, pushed_by, sha256, line, "
                               "received) VALUES ", "('record', ?, ?, ?, ?, ?, ?, ?, ?)", n, "", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          PushLine *pl = g_ptr_array_index (pending, done + i);
          ClmrsEnvelope *env = pl->env;
          int at = (int) i * 8;

          db_bind_text (stmt, at + 1, env->id);
          db_bind_int64 (stmt, at + 2, env->rev);
          db_bind_text (stmt, at + 3, clmrs_record_type_to_string (env->type));
          db_bind_text (stmt, at + 4, env->community_id);
          db_bind_text (stmt, at + 5, device_id);
          db_bind_text (stmt, at + 6, env->sha256);
          db_bind_blob (stmt, at + 7, pl->line, (int) pl->length);
          db_bind_text (stmt, at + 8, now);
          if (g_hash_table_add (seen, (gpointer) env->id))
            g_ptr_array_add (owners, (gpointer) env->id);
        }
      if (db_step (stmt) != DB_DONE)
        return db_fail (db, "storing a record", error);
    }

  /* A stored record's owner is this device (another's record would be a
   * conflict): the row an id gets, or a higher max_rev for one it has. */
  for (guint done = 0, n; done < owners->len; done += n)
    {
      g_autoptr(ServerStmt) stmt = NULL;

      n = flush_rows (owners->len - done);
      stmt = prepare_rows (db, "INSERT INTO record_owners (id, type, community_id, device_id, max_rev) VALUES ",
                           "(?, ?, ?, ?, ?)", n,
                           " ON CONFLICT (id) DO UPDATE SET max_rev = CASE WHEN record_owners.max_rev > "
                           "excluded.max_rev THEN record_owners.max_rev ELSE excluded.max_rev END", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          const char *id = g_ptr_array_index (owners, done + i);
          const Owner *owner = g_hash_table_lookup (batch->owners, id);
          int at = (int) i * 5;

          db_bind_text (stmt, at + 1, id);
          db_bind_text (stmt, at + 2, owner->type);
          db_bind_text (stmt, at + 3, owner->community_id);
          db_bind_text (stmt, at + 4, device_id);
          db_bind_int64 (stmt, at + 5, owner->max_rev);
        }
      if (db_step (stmt) != DB_DONE)
        return db_fail (db, "noting the record's owner", error);
    }
  g_ptr_array_set_size (pending, 0);
  return TRUE;
}

/* Sets @why when the stored record @ref names does not hold what @ref
 * says it must (clmrs_record_ref_check_target(): a correction's visit is
 * of its household and child).  %FALSE on a database error. */
static gboolean
check_ref_target (ServerDb              *db,
                  const ClmrsRecordRef  *ref,
                  char                 **why,
                  GError               **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GError) invalid = NULL;
  ClmrsEnvelope *target = NULL;
  int rc;

  stmt = db_prepare (db, "SELECT line FROM records WHERE kind = 'record' AND id = ? ORDER BY rev DESC LIMIT 1",
                     error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, ref->id);
  rc = db_step (stmt);
  if (rc != DB_ROW && rc != DB_DONE)
    return db_fail (db, "reading a referenced record", error);
  if (rc == DB_ROW)
    target = clmrs_envelope_parse (db_column_blob (stmt, 0), db_column_bytes (stmt, 0), 1, NULL);
  if (target == NULL || !clmrs_record_ref_check_target (ref, target->body, &invalid))
    *why = invalid ? g_strdup (invalid->message) : g_strdup_printf ("%s: %s cannot be read", ref->member, ref->id);
  clmrs_envelope_free (target);
  return TRUE;
}

/* Decides one record inside the push transaction: sets @pl's result (and
 * reason), storing it when it passes.  %FALSE on a database error. */
static gboolean
push_one (ServerDb    *db,
          PushBatch   *batch,
          const char  *device_id,
          PushLine    *pl,
          const char  *now,
          char       **bound_local_id,
          GError     **error)
{
  ClmrsEnvelope *env = pl->env;
  const Owner *owner = NULL;
  const char *stored_sha = NULL;
  g_autofree char *key = NULL;
  gboolean in_scope = FALSE;
  gboolean ok = FALSE;

#define REJECT(...) G_STMT_START { pl->result = "rejected"; pl->reason = g_strdup_printf (__VA_ARGS__); \
                                   return TRUE; } G_STMT_END

  if (!device_has_community (db, batch, device_id, env->community_id, &in_scope, error))
    return FALSE;
  if (!in_scope)
    REJECT ("community_id: %s is not one of this device's communities", env->community_id);
  if (pl->invalid != NULL)
    REJECT ("%s", pl->invalid);
  /* a batch's records carry one local id: checked (and bound) once */
  if (g_strcmp0 (env->device_id, *bound_local_id) != 0)
    {
      if (!check_local_id (db, device_id, env->device_id, &ok, error))
        return FALSE;
      if (!ok)
        REJECT ("device_id: not the id this device stamps its records with");
      g_free (*bound_local_id);
      *bound_local_id = g_strdup (env->device_id);
    }

  /* An id keeps its type and community for ever.  The same words whether
   * the id is taken in another community or is of another type here:
   * nothing is told about records outside the device's scope. */
  owner = g_hash_table_lookup (batch->owners, env->id);
  if (owner != NULL && (g_strcmp0 (owner->type, clmrs_record_type_to_string (env->type)) != 0 ||
                        g_strcmp0 (owner->community_id, env->community_id) != 0))
    REJECT ("id: %s cannot be used for this record", env->id);

  for (guint i = 0; i < pl->refs->len; i++)
    {
      const ClmrsRecordRef *ref = g_ptr_array_index (pl->refs, i);
      const Owner *target = g_hash_table_lookup (batch->owners, ref->id);

      if (target == NULL || g_strcmp0 (target->type, clmrs_record_type_to_string (ref->type)) != 0 ||
          g_strcmp0 (target->community_id, env->community_id) != 0)
        REJECT ("%s: no %s %s in this community (send it first)", ref->member,
                clmrs_record_type_to_string (ref->type), ref->id);
      if (ref->same != NULL)
        {
          g_autofree char *why = NULL;

          /* it reads the stored line: the batch's own first */
          if (!push_batch_flush (db, batch, device_id, now, error) || !check_ref_target (db, ref, &why, error))
            return FALSE;
          if (why != NULL)
            REJECT ("%s", why);
        }
    }

  if (env->rev > (owner != NULL ? owner->max_rev : 0) + SERVER_MAX_REV_STEP)
    REJECT ("rev: %" G_GINT64_FORMAT " is more than %d above the stored revision (%" G_GINT64_FORMAT ")",
            env->rev, SERVER_MAX_REV_STEP, owner != NULL ? owner->max_rev : 0);

  {
    g_autofree char *why = NULL;

    if (!check_author (db, batch, device_id, env, &why, error))
      return FALSE;
    if (why != NULL)
      REJECT ("%s", why);
  }

  /* The same revision again: a duplicate when the same content. */
  key = revision_key (env->id, env->rev);
  stored_sha = g_hash_table_lookup (batch->revisions, key);
  if (stored_sha != NULL && g_strcmp0 (stored_sha, env->sha256) == 0)
    {
      pl->result = "duplicate";
      return TRUE;
    }

  /* Kept aside, never applied: another content under a stored revision,
   * or a revision from a device that does not own the record. */
  if (stored_sha != NULL || (owner != NULL && g_strcmp0 (owner->device_id, device_id) != 0))
    {
      pl->result = "conflict";
      if (stored_sha == NULL)
        pl->reason = g_strdup ("id: this record belongs to the device that created it; "
                               "an administrator can hand it over (clmrs-server hand-over)");
      return store_conflict (db, device_id, pl, now, error);
    }

  push_batch_store (batch, device_id, pl);
  pl->result = "stored";
  return TRUE;
#undef REJECT
}

/* The stored response of an earlier batch with the same key, if any. */
static gboolean
lookup_idempotency (ServerDb    *db,
                    const char  *device_id,
                    const char  *key,
                    char       **request_sha256,
                    char       **response,
                    GError     **error)
{
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  *request_sha256 = *response = NULL;
  stmt = db_prepare (db, "SELECT request_sha256, CAST (response AS TEXT) FROM idempotency "
                         "WHERE device_id = ? AND key = ?", error);
  if (stmt == NULL)
    return FALSE;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, key);
  rc = db_step (stmt);
  if (rc == DB_ROW)
    {
      *request_sha256 = g_strdup ((const char *) db_column_text (stmt, 0));
      *response = g_strdup ((const char *) db_column_text (stmt, 1));
    }
  else if (rc != DB_DONE)
    return db_fail (db, "idempotency lookup", error);
  return TRUE;
}

/* The answer to a replayed key: the stored response, or an error when
 * the key came with another batch.  %NULL with no error: not a replay. */
static char *
replay (ServerDb    *db,
        const char  *device_id,
        const char  *key,
        const char  *request_sha,
        gboolean    *replayed,
        GError     **error)
{
  g_autofree char *old_sha = NULL;
  g_autofree char *old_response = NULL;

  if (!lookup_idempotency (db, device_id, key, &old_sha, &old_response, error) || old_response == NULL)
    return NULL;
  if (g_strcmp0 (old_sha, request_sha) != 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_IDEMPOTENCY,
                   "Idempotency-Key: %s was already used for a different batch", key);
      return NULL;
    }
  *replayed = TRUE;
  return g_steal_pointer (&old_response);
}

/* Dependency order (a household before its children, a visit before its
 * supports), and the order of the batch among records of one type. */
static int
compare_dependency (gconstpointer a,
                    gconstpointer b)
{
  const PushLine *x = *(PushLine * const *) a;
  const PushLine *y = *(PushLine * const *) b;

  return (int) x->env->type - (int) y->env->type;
}

/**
 * server_db_push:
 * @ndjson: the decompressed batch
 * @minimal: list only the records not `stored` in `results` (the client
 *   sent `Prefer: return=minimal`); the response then says
 *   `"omitted":"stored"`, so it stays readable when replayed
 * @replayed: (out): set when the response is the stored one of an earlier
 *   batch with the same @idempotency_key
 *
 * Validates every envelope first (any malformed line fails the whole
 * batch: %SERVER_ERROR_MALFORMED_JSON or %SERVER_ERROR_INVALID_ENVELOPE
 * naming the line and field, nothing stored), then decides and stores
 * each record in one transaction, in dependency order, with the response
 * kept under the key.  A body no device could apply is `rejected` on its
 * own, with the member named.
 *
 * Returns: (transfer full): the response body, results in line order, or
 *   %NULL and an error.
 */
char *
server_db_push (ServerDb    *db,
                const char  *device_id,
                const char  *idempotency_key,
                const char  *ndjson,
                gsize        length,
                gboolean     minimal,
                gboolean    *replayed,
                GError     **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (PushLine));
  g_autoptr(GPtrArray) order = NULL;
  g_autofree char *request_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                             (const guchar *) ndjson, length);
  g_autofree char *now = now_rfc3339 ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *response = NULL;
  g_autoptr(ServerStmt) stmt = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bound_local_id = NULL;
  g_auto(PushBatch) batch = { 0 };
  guint64 round_trips = db_round_trips (db);
  ClmrsNdjsonReader reader;
  const char *line;
  gsize line_length;
  guint line_no;
  guint counts[4] = { 0 };
  static const char *const result_names[] = { "stored", "duplicate", "conflict", "rejected" };

  g_array_set_clear_func (lines, push_line_clear);
  *replayed = FALSE;

  /* A replay is answered before anything else, even before parsing. */
  response = replay (db, device_id, idempotency_key, request_sha, replayed, &local_error);
  if (response != NULL || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return g_steal_pointer (&response);
    }

  clmrs_ndjson_reader_init (&reader, ndjson, length);
  while (clmrs_ndjson_reader_next (&reader, &line, &line_length, &line_no))
    {
      PushLine pl = { NULL, line, line_length, line_no, NULL, NULL, NULL, NULL };

      pl.env = clmrs_envelope_parse (line, line_length, line_no, &local_error);
      if (pl.env == NULL)
        {
          g_set_error_literal (error, SERVER_ERROR,
                               g_error_matches (local_error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_JSON)
                               ? SERVER_ERROR_MALFORMED_JSON : SERVER_ERROR_INVALID_ENVELOPE,
                               local_error->message);
          return NULL;
        }
      if (!clmrs_record_check_body (pl.env->type, pl.env->body, &local_error))
        {
          pl.invalid = g_strdup (local_error->message);
          g_clear_error (&local_error);
        }
      pl.refs = clmrs_record_references (pl.env->type, pl.env->body);
      /* Only the envelope's fields are needed from here: a batch of many
       * records must not hold every body's JSON tree at once. */
      g_clear_pointer (&pl.env->body, json_object_unref);
      g_array_append_val (lines, pl);
    }
  if (lines->len == 0)
    {
      g_set_error (error, SERVER_ERROR, SERVER_ERROR_BAD_REQUEST,
                   "the batch holds no record (an empty body)");
      return NULL;
    }
  order = g_ptr_array_sized_new (lines->len);
  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (order, &g_array_index (lines, PushLine, i));
  /* stable: records of one type keep the batch's order */
  g_ptr_array_sort (order, compare_dependency);

  if (!db_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  /* Another connection may have committed the same key meanwhile. */
  response = replay (db, device_id, idempotency_key, request_sha, replayed, &local_error);
  if (response != NULL || local_error != NULL)
    {
      db_rollback (db);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return g_steal_pointer (&response);
    }

  if (!push_batch_load (db, &batch, order, error))
    goto fail;
  for (guint i = 0; i < order->len; i++)
    if (!push_one (db, &batch, device_id, g_ptr_array_index (order, i), now, &bound_local_id, error))
      goto fail;
  if (!push_batch_flush (db, &batch, device_id, now, error))
    goto fail;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < lines->len; i++)
    {
      PushLine *pl = &g_array_index (lines, PushLine, i);

      for (guint r = 0; r < G_N_ELEMENTS (result_names); r++)
        if (strcmp (pl->result, result_names[r]) == 0)
          counts[r]++;
      if (minimal && strcmp (pl->result, "stored") == 0)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, pl->line_no);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, pl->env->id);
      json_builder_set_member_name (b, "rev");
      json_builder_add_int_value (b, pl->env->rev);
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, pl->result);
      if (pl->reason != NULL)
        {
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, pl->reason);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (minimal)
    {
      json_builder_set_member_name (b, "omitted");
      json_builder_add_string_value (b, "stored");
    }
  for (guint r = 0; r < G_N_ELEMENTS (result_names); r++)
    {
      json_builder_set_member_name (b, result_names[r]);
      json_builder_add_int_value (b, counts[r]);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  response = json_to_string (root, FALSE);

  stmt = db_prepare (db, "INSERT INTO idempotency (device_id, key, request_sha256, response, created) "
                         "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  db_bind_text (stmt, 1, device_id);
  db_bind_text (stmt, 2, idempotency_key);
  db_bind_text (stmt, 3, request_sha);
  db_bind_blob (stmt, 4, response, (int) strlen (response));
  db_bind_text (stmt, 5, now);
  if (db_step (stmt) != DB_DONE)
    {
      db_fail (db, "storing the batch response", error);
      goto fail;
    }
  if (!db_exec (db, "COMMIT", error))
    goto fail;
  /* G_MESSAGES_DEBUG=clmrs-server: what a batch costs on PostgreSQL */
  g_debug ("push: %u records, %" G_GUINT64_FORMAT " round trips to the database", lines->len,
           db_round_trips (db) - round_trips);
  return g_steal_pointer (&response);

fail:
  db_rollback (db);
  return NULL;
}
