/* visit.c: finalising a visit: records, classification, cases and outbox in one transaction. */
#define G_LOG_DOMAIN "clmrs-visit"

#include "visit.h"

#include "casebook.h"
#include "media.h"
#include "outbox.h"
#include "record.h"
#include "supports.h"
#include "util.h"

#include <string.h>

G_DEFINE_QUARK (clmrs-visit-error-quark, clmrs_visit_error)

static void
child_outcome_free (gpointer data)
{
  ClmrsChildOutcome *c = data;

  g_free (c->child_id);
  g_free (c->name);
  g_clear_pointer (&c->reasons, json_node_unref);
  g_strfreev (c->suggestions);
  g_free (c);
}

void
clmrs_finalise_result_free (ClmrsFinaliseResult *result)
{
  if (result == NULL)
    return;
  g_free (result->visit_id);
  g_free (result->household_id);
  g_ptr_array_unref (result->children);
  g_free (result);
}

/* Everything one finalisation needs, so helpers take one argument. */
typedef struct {
  ClmrsStore         *store;
  ClmrsFormSession   *session;
  const ClmrsRuleSet *rules;
  const char         *visit_id;
  char               *kind;
  char               *facilitator_id;
  char               *community_id;
  char               *household_id;
  char               *child_id;
  char               *child_status;
  char               *form_id;
  char               *form_version;
  char               *corrects;       /* the returned visit this one corrects, or NULL */
  char               *corrects_date;  /* its date: a correction keeps the day of the visit */
  char               *started;
  char               *visit_date;
  char               *now;
  char               *schema;         /* form_id@form_version */
  char               *rules_ref;      /* id@version, NULL when nothing was classified */
  JsonNode           *answers;        /* the form's answers, ids filled in */
  JsonArray          *assessments;    /* for the visit envelope */
  GPtrArray          *touched;        /* child ids whose case must be refreshed */
  GPtrArray          *queued;         /* of Queued: envelopes to enqueue at the end */
  ClmrsFinaliseResult *result;
} Job;

/* An envelope made by the visit, enqueued once the visit is whole. */
typedef struct {
  ClmrsRecordType  type;
  char            *id;
  gint64           rev;
  char            *line;
} Queued;

static void
queued_free (gpointer data)
{
  Queued *q = data;

  g_free (q->id);
  g_free (q->line);
  g_free (q);
}

static void
job_clear (Job *job)
{
  g_free (job->kind);
  g_free (job->facilitator_id);
  g_free (job->community_id);
  g_free (job->household_id);
  g_free (job->child_id);
  g_free (job->child_status);
  g_free (job->form_id);
  g_free (job->form_version);
  g_free (job->corrects);
  g_free (job->corrects_date);
  g_free (job->started);
  g_free (job->visit_date);
  g_free (job->now);
  g_free (job->schema);
  g_free (job->rules_ref);
  g_clear_pointer (&job->answers, json_node_unref);
  g_clear_pointer (&job->assessments, json_array_unref);
  g_clear_pointer (&job->touched, g_ptr_array_unref);
  g_clear_pointer (&job->queued, g_ptr_array_unref);
  g_clear_pointer (&job->result, clmrs_finalise_result_free);
}

static gboolean
load_visit (Job     *job,
            GError **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (job->store,
      "SELECT kind, facilitator_id, community_id, household_id, child_id, form_id,"
      "  form_version, started, state, corrects,"
      "  (SELECT o.visit_date FROM visits o WHERE o.id = v.corrects) FROM visits v WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, job->visit_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      job->kind = clmrs_store_column_dup (stmt, 0);
      job->facilitator_id = clmrs_store_column_dup (stmt, 1);
      job->community_id = clmrs_store_column_dup (stmt, 2);
      job->household_id = clmrs_store_column_dup (stmt, 3);
      job->child_id = clmrs_store_column_dup (stmt, 4);
      job->form_id = clmrs_store_column_dup (stmt, 5);
      job->form_version = clmrs_store_column_dup (stmt, 6);
      job->started = clmrs_store_column_dup (stmt, 7);
      job->corrects = clmrs_store_column_dup (stmt, 9);
      job->corrects_date = clmrs_store_column_dup (stmt, 10);
      if (!g_str_equal ((const char *) sqlite3_column_text (stmt, 8), "draft"))
        rc = -1;
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no visit %s", job->visit_id);
      return FALSE;
    }
  if (rc == -1)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "visit %s is already finalised", job->visit_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "reading visit %s: %s",
                   job->visit_id, sqlite3_errmsg (clmrs_store_get_db (job->store)));
      return FALSE;
    }
  return TRUE;
}

/* The string value of clmrs:field @name, or NULL when empty or absent. */
static const char *
field (const ClmrsEntityData *entity,
       const char            *name)
{
  const char *value;

  if (entity->fields == NULL || !json_object_has_member (entity->fields, name))
    return NULL;
  value = json_object_get_string_member_with_default (entity->fields, name, NULL);
  return value != NULL && *value != '\0' ? value : NULL;
}

static gint64
field_int (const ClmrsEntityData *entity,
           const char            *name)
{
  const char *value = field (entity, name);

  return value ? g_ascii_strtoll (value, NULL, 10) : 0;
}

/*
 * Sets the string at @ref in the answers JSON: "/root/a/b[2]/c" walks
 * members a, b (its second element when b is an array) and sets c.
 */
static void
answers_set (JsonNode   *answers,
             const char *ref,
             const char *value)
{
  g_auto(GStrv) steps = NULL;
  JsonObject *object;
  guint n;

  if (ref == NULL || answers == NULL || !JSON_NODE_HOLDS_OBJECT (answers))
    return;
  steps = g_strsplit (ref[0] == '/' ? ref + 1 : ref, "/", -1);
  n = g_strv_length (steps);
  object = json_node_get_object (answers);
  /* steps[0] is the form's root element: the JSON object itself */
  for (guint i = 1; i + 1 < n; i++)
    {
      g_autofree char *name = g_strdup (steps[i]);
      char *bracket = strchr (name, '[');
      guint index = 1;
      JsonNode *member;

      if (bracket != NULL)
        {
          index = (guint) g_ascii_strtoull (bracket + 1, NULL, 10);
          *bracket = '\0';
        }
      member = json_object_get_member (object, name);
      if (member == NULL)
        return;
      if (JSON_NODE_HOLDS_ARRAY (member))
        {
          JsonArray *array = json_node_get_array (member);

          if (index < 1 || index > json_array_get_length (array))
            return;
          member = json_array_get_element (array, index - 1);
        }
      if (!JSON_NODE_HOLDS_OBJECT (member))
        return;
      object = json_node_get_object (member);
    }
  if (n >= 2)
    json_object_set_string_member (object, steps[n - 1], value);
}

/* Makes sure entity field @name holds an id: the one given, or a new UUID;
 * written into the answers too.  Returns: (transfer full): the id. */
static char *
ensure_id (Job                   *job,
           const ClmrsEntityData *entity,
           const char            *name,
           const char            *fallback)
{
  const char *given = field (entity, name);
  char *id;

  if (given != NULL)
    return g_strdup (given);
  id = fallback != NULL ? g_strdup (fallback) : clmrs_uuid_new ();
  if (entity->field_refs != NULL && json_object_has_member (entity->field_refs, name))
    answers_set (job->answers, json_object_get_string_member (entity->field_refs, name), id);
  return id;
}

static gboolean
queue_record (Job              *job,
              ClmrsRecordType   type,
              const char       *id,
              gint64            rev,
              const char       *created,
              const char       *schema,
              const char       *rules,
              JsonNode         *body,
              GError          **error)
{
  ClmrsRecordHeader header = {
    .type = type,
    .id = id,
    .rev = rev,
    .device_id = clmrs_store_get_device_id (job->store),
    .author = job->facilitator_id,
    .community_id = job->community_id,
    .created = created,
    .modified = job->now,
    .schema = schema,
    .rules = rules,
  };
  Queued *q = g_new0 (Queued, 1);

  q->type = type;
  q->id = g_strdup (id);
  q->rev = rev;
  q->line = clmrs_record_envelope_line (&header, body);
  g_ptr_array_add (job->queued, q);
  return TRUE;
}

static int
compare_queued (gconstpointer a,
                gconstpointer b)
{
  const Queued *x = *(Queued * const *) a;
  const Queued *y = *(Queued * const *) b;

  return (int) x->type - (int) y->type;
}

/* Enqueues the visit's envelopes in dependency order (a household before
 * its children, the visit before its supports): the server takes a
 * record only when what it points at is there, and a batch may end
 * between two records of one visit. */
static gboolean
enqueue_all (Job     *job,
             GError **error)
{
  /* stable: records of one type keep the order they were made in */
  g_ptr_array_sort (job->queued, compare_queued);
  for (guint i = 0; i < job->queued->len; i++)
    {
      Queued *q = g_ptr_array_index (job->queued, i);

      if (!clmrs_outbox_enqueue (job->store, q->id, q->rev, q->type, job->facilitator_id, q->line, error))
        return FALSE;
      job->result->records_queued++;
    }
  return TRUE;
}

/* Current rev and body of a household or child row: rev 0 when absent. */
static gint64
current_row (Job         *job,
             const char  *table,
             const char  *id,
             char       **body,
             char       **created)
{
  g_autofree char *sql = g_strdup_printf ("SELECT rev, body, created FROM %s WHERE id = ?", table);
  sqlite3_stmt *stmt = clmrs_store_prepare (job->store, sql, NULL);
  gint64 rev = 0;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      rev = sqlite3_column_int64 (stmt, 0);
      *body = clmrs_store_column_dup (stmt, 1);
      *created = clmrs_store_column_dup (stmt, 2);
    }
  sqlite3_finalize (stmt);
  return rev;
}

/* Writes a household or child whose body changed (or that is new) as a
 * new revision, and queues its envelope. */
static gboolean
upsert_entity (Job             *job,
               ClmrsRecordType  type,
               const char      *id,
               JsonNode        *body_node,
               GError         **error)
{
  const char *table = type == CLMRS_RECORD_HOUSEHOLD ? "households" : "children";
  g_autofree char *body = clmrs_json_to_string (body_node);
  g_autofree char *old_body = NULL;
  g_autofree char *created = NULL;
  JsonObject *o = json_node_get_object (body_node);
  gint64 rev = current_row (job, table, id, &old_body, &created);
  sqlite3_stmt *stmt;
  char schema[64];

  if (rev < 0)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "reading %s %s", table, id);
      return FALSE;
    }
  if (rev > 0 && g_strcmp0 (old_body, body) == 0)
    return TRUE;  /* unchanged: nothing to send again */
  if (created == NULL)
    created = g_strdup (job->now);

  if (type == CLMRS_RECORD_HOUSEHOLD)
    {
      stmt = clmrs_store_prepare (job->store,
          "INSERT INTO households (id, community_id, head_name, head_sex, rev, device_id, author,"
          "  created, modified, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT (id) DO UPDATE SET community_id = ?2, head_name = ?3, head_sex = ?4,"
          "  rev = ?5, modified = ?9, body = ?10", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 2, job->community_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, json_object_get_string_member_with_default (o, "head_name", ""), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, json_object_get_string_member_with_default (o, "head_sex", NULL), -1, SQLITE_TRANSIENT);
    }
  else
    {
      stmt = clmrs_store_prepare (job->store,
          "INSERT INTO children (id, household_id, name, sex, dob, age, age_on, rev, device_id,"
          "  author, created, modified, body) VALUES (?1, ?2, ?3, ?4, ?11, ?12, ?13, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT (id) DO UPDATE SET household_id = ?2, name = ?3, sex = ?4, dob = ?11,"
          "  age = ?12, age_on = ?13, rev = ?5, modified = ?9, body = ?10", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 2, json_object_get_string_member (o, "household_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, json_object_get_string_member_with_default (o, "name", ""), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, json_object_get_string_member_with_default (o, "sex", NULL), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 11, json_object_get_string_member_with_default (o, "dob", NULL), -1, SQLITE_TRANSIENT);
      if (json_object_has_member (o, "age") && !json_object_get_null_member (o, "age"))
        sqlite3_bind_int64 (stmt, 12, json_object_get_int_member (o, "age"));
      sqlite3_bind_text (stmt, 13, json_object_get_string_member_with_default (o, "age_on", NULL), -1, SQLITE_TRANSIENT);
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, rev + 1);
  sqlite3_bind_text (stmt, 6, clmrs_store_get_device_id (job->store), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, job->facilitator_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, created, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, job->now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, body, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (job->store, stmt, error))
    return FALSE;

  g_snprintf (schema, sizeof schema, "clmrs.%s@1", clmrs_record_type_to_string (type));
  return queue_record (job, type, id, rev + 1, created, schema, NULL,
                       json_node_ref (body_node), error);
}

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

/* Classifies one child entity and writes the assessment. */
static gboolean
assess_child (Job                   *job,
              const ClmrsEntityData *entity,
              const char            *child_id,
              const char            *name,
              GError               **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(ClmrsProfile) profile = NULL;
  g_autoptr(ClmrsClassification) outcome = NULL;
  g_autoptr(JsonNode) outcome_json = NULL;
  g_autoptr(JsonNode) reasons = NULL;
  g_autofree char *reasons_text = NULL;
  g_autofree char *profile_text = NULL;
  g_autofree char *assessment_id = clmrs_uuid_new ();
  JsonObject *o;
  ClmrsChildOutcome *shown;
  sqlite3_stmt *stmt;
  JsonNode *profile_node;

  /* against the rule set that classifies: codes it adds (a national task) are known */
  profile = clmrs_profile_from_json_full (entity->profile, job->rules, NULL, &local);
  if (profile == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: the child's answers do not make a profile: %s", entity->ref, local->message);
      return FALSE;
    }
  outcome = clmrs_classify (job->rules, profile);
  outcome_json = clmrs_classification_to_json (outcome);
  reasons = json_node_ref (json_object_get_member (json_node_get_object (outcome_json), "reasons"));
  reasons_text = clmrs_json_to_string (reasons);
  profile_node = object_node (json_object_ref (entity->profile));
  profile_text = clmrs_json_to_string (profile_node);

  stmt = clmrs_store_prepare (job->store,
      "INSERT INTO assessments (id, visit_id, child_id, assessed_on, age, status, immediate_danger,"
      "  reasons, rules, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    {
      json_node_unref (profile_node);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, assessment_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, job->visit_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, job->visit_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, profile->age);
  sqlite3_bind_text (stmt, 6, clmrs_status_to_string (outcome->status), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, profile->in_scope && profile->immediate_danger);
  sqlite3_bind_text (stmt, 8, reasons_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, outcome->rules, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, profile_text, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (job->store, stmt, error))
    {
      json_node_unref (profile_node);
      return FALSE;
    }

  o = json_object_new ();
  json_object_set_string_member (o, "child_id", child_id);
  json_object_set_string_member (o, "status", clmrs_status_to_string (outcome->status));
  json_object_set_member (o, "reasons", json_node_ref (reasons));
  json_object_set_string_member (o, "rules", outcome->rules);
  json_object_set_string_member (o, "recall", clmrs_recall_to_string (outcome->recall));
  json_object_set_member (o, "profile", profile_node);
  json_array_add_object_element (job->assessments, o);

  g_free (job->rules_ref);
  job->rules_ref = g_strdup (outcome->rules);
  g_ptr_array_add (job->touched, g_strdup (child_id));

  shown = g_new0 (ClmrsChildOutcome, 1);
  shown->child_id = g_strdup (child_id);
  shown->name = g_strdup (name);
  shown->age = profile->age;
  shown->status = outcome->status;
  shown->reasons = g_steal_pointer (&reasons);
  shown->suggestions = clmrs_suggest_supports (job->rules, profile, outcome);
  g_ptr_array_add (job->result->children, shown);
  return TRUE;
}

static JsonNode *
child_body (const ClmrsEntityData *entity,
            const char            *household_id,
            const char            *visit_date)
{
  JsonObject *o = json_object_new ();
  const char *age = field (entity, "age");

  json_object_set_string_member (o, "household_id", household_id);
  json_object_set_string_member (o, "name", field (entity, "name") ? field (entity, "name") : "");
  clmrs_json_set_nullable (o, "sex", field (entity, "sex"));
  clmrs_json_set_nullable (o, "dob", field (entity, "dob"));
  if (age != NULL)
    {
      json_object_set_int_member (o, "age", g_ascii_strtoll (age, NULL, 10));
      json_object_set_string_member (o, "age_on", visit_date);
    }
  else
    {
      json_object_set_null_member (o, "age");
      json_object_set_null_member (o, "age_on");
    }
  return object_node (o);
}

static gboolean
finalise_household (Job     *job,
                    GError **error)
{
  g_autoptr(GPtrArray) households = clmrs_form_session_get_entities (job->session, "household");
  g_autoptr(GPtrArray) children = clmrs_form_session_get_entities (job->session, "child");
  const ClmrsEntityData *hh;
  JsonObject *body;

  if (households->len != 1)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "form %s has %u household groups (clmrs:entity=\"household\"), expected 1",
                   job->form_id, households->len);
      return FALSE;
    }
  hh = g_ptr_array_index (households, 0);
  g_free (job->household_id);
  job->household_id = ensure_id (job, hh, "household_id", job->household_id);
  if (field (hh, "community_id") != NULL && g_strcmp0 (field (hh, "community_id"), job->community_id) != 0)
    {
      g_free (job->community_id);
      job->community_id = g_strdup (field (hh, "community_id"));
    }
  if (job->community_id == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: the household has no community", hh->ref);
      return FALSE;
    }
  if (field (hh, "head_name") == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: the household head has no name", hh->ref);
      return FALSE;
    }

  body = json_object_new ();
  json_object_set_string_member (body, "head_name", field (hh, "head_name"));
  clmrs_json_set_nullable (body, "head_sex", field (hh, "head_sex"));
  {
    g_autoptr(JsonNode) node = object_node (body);
    if (!upsert_entity (job, CLMRS_RECORD_HOUSEHOLD, job->household_id, node, error))
      return FALSE;
  }

  for (guint i = 0; i < children->len; i++)
    {
      const ClmrsEntityData *child = g_ptr_array_index (children, i);
      g_autofree char *child_id = ensure_id (job, child, "child_id", NULL);
      g_autoptr(JsonNode) node = child_body (child, job->household_id, job->visit_date);

      if (field (child, "name") == NULL)
        {
          g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                       "%s: a child in the roster has no name", child->ref);
          return FALSE;
        }
      if (!upsert_entity (job, CLMRS_RECORD_CHILD, child_id, node, error) ||
          !assess_child (job, child, child_id, field (child, "name"), error))
        return FALSE;
    }
  return TRUE;
}

/* household_id and community_id of a known child. */
static gboolean
lookup_child (Job         *job,
              const char  *child_id,
              GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (job->store,
      "SELECT c.household_id, h.community_id FROM children c JOIN households h ON h.id = c.household_id "
      "WHERE c.id = ?", error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, child_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      g_free (job->household_id);
      g_free (job->community_id);
      job->household_id = clmrs_store_column_dup (stmt, 0);
      job->community_id = clmrs_store_column_dup (stmt, 1);
    }
  sqlite3_finalize (stmt);
  if (!found)
    g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                 "child %s is not on this device", child_id);
  return found;
}

/* The one known child a follow-up or a closure is about: its entity, with
 * job->child_id, the household and the community set from the store. */
static const ClmrsEntityData *
visit_one_child (Job        *job,
                 GPtrArray  *children,
                 const char *what,
                 GError    **error)
{
  const ClmrsEntityData *child;
  const char *child_id;

  if (children->len != 1)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "a %s is about one child; form %s has %u", what, job->form_id, children->len);
      return NULL;
    }
  child = g_ptr_array_index (children, 0);
  child_id = field (child, "child_id") ? field (child, "child_id") : job->child_id;
  if (child_id == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: a %s needs the child's id (child_id)", child->ref, what);
      return NULL;
    }
  g_free (job->child_id);
  job->child_id = g_strdup (child_id);
  answers_set (job->answers, child->field_refs && json_object_has_member (child->field_refs, "child_id")
                             ? json_object_get_string_member (child->field_refs, "child_id") : NULL,
               job->child_id);
  if (!lookup_child (job, job->child_id, error))
    return NULL;
  return child;
}

static gboolean
finalise_follow_up (Job     *job,
                    GError **error)
{
  g_autoptr(GPtrArray) children = clmrs_form_session_get_entities (job->session, "child");
  const ClmrsEntityData *child = visit_one_child (job, children, "follow-up", error);
  const char *status;

  if (child == NULL)
    return FALSE;
  status = field (child, "child_status") ? field (child, "child_status") : "present";
  if (!g_str_equal (status, "present") && !g_str_equal (status, "moved") && !g_str_equal (status, "lost"))
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: child_status is present, moved or lost, not '%s'", child->ref, status);
      return FALSE;
    }
  job->child_status = g_strdup (status);
  if (!g_str_equal (status, "present"))
    {
      g_ptr_array_add (job->touched, g_strdup (job->child_id));
      return TRUE;
    }
  return assess_child (job, child, job->child_id, field (child, "name"), error);
}

/* The child of @household_id named @name (any case), or NULL: a child met
 * on the farm who is already on the household's roster is assessed as that
 * child, not entered twice. */
static char *
household_child_named (Job         *job,
                       const char  *name,
                       GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (job->store,
      "SELECT id FROM children WHERE household_id = ? AND name = ? COLLATE NOCASE "
      "ORDER BY created LIMIT 1", error);
  char *id = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, job->household_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = clmrs_store_column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return id;
}

/* A farm visit (farm_visit.xml) is made on a household's farm: each child
 * found working there is assessed, as at a household visit, and recorded
 * with that household (docs/cases-and-indicators.md, "Farm visits"). */
static gboolean
finalise_farm (Job     *job,
               GError **error)
{
  g_autoptr(GPtrArray) children = clmrs_form_session_get_entities (job->session, "child");

  if (job->household_id == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "a farm visit is made on a household's farm: it needs the household");
      return FALSE;
    }
  for (guint i = 0; i < children->len; i++)
    {
      const ClmrsEntityData *child = g_ptr_array_index (children, i);
      const char *name = field (child, "name");
      g_autofree char *known = NULL;
      g_autofree char *child_id = NULL;

      if (name == NULL)
        {
          g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                       "%s: a child found on the farm has no name", child->ref);
          return FALSE;
        }
      if (field (child, "child_id") == NULL)
        {
          g_autoptr(GError) local = NULL;

          known = household_child_named (job, name, &local);
          if (local != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      child_id = ensure_id (job, child, "child_id", known);
      if (known == NULL && field (child, "child_id") == NULL)
        {
          g_autoptr(JsonNode) node = child_body (child, job->household_id, job->visit_date);

          if (!upsert_entity (job, CLMRS_RECORD_CHILD, child_id, node, error))
            return FALSE;
        }
      if (!assess_child (job, child, child_id, name, error))
        return FALSE;
    }
  return TRUE;
}

/* A closure ends the child's case (cases.h); the visit row and its
 * answers are the record (the casebook reads child/closure_reason). */
static gboolean
finalise_closure (Job     *job,
                  GError **error)
{
  g_autoptr(GPtrArray) children = clmrs_form_session_get_entities (job->session, "child");
  const ClmrsEntityData *child = visit_one_child (job, children, "closure", error);
  const char *reason;
  ClmrsClosureReason code;

  if (child == NULL)
    return FALSE;
  reason = field (child, "closure_reason");
  if (!clmrs_closure_reason_from_string (reason, &code))
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: closure_reason is deceased, moved_out, consent_withdrawn, aged_out or duplicate,"
                   " not '%s'", child->ref, reason ? reason : "");
      return FALSE;
    }
  if (code == CLMRS_CLOSURE_DUPLICATE && field (child, "merged_into") == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: a duplicate names the record it is the same child as (merged_into)", child->ref);
      return FALSE;
    }
  g_ptr_array_add (job->touched, g_strdup (job->child_id));
  return TRUE;
}

static gboolean
finalise_support (Job     *job,
                  GError **error)
{
  g_autoptr(GPtrArray) supports = clmrs_form_session_get_entities (job->session, "support");

  for (guint i = 0; i < supports->len; i++)
    {
      const ClmrsEntityData *s = g_ptr_array_index (supports, i);
      const char *type = field (s, "support_type");
      const char *level = type ? clmrs_support_type_level (type) : NULL;
      const char *date = field (s, "date") ? field (s, "date") : job->visit_date;
      const char *child_id = field (s, "child_id") ? field (s, "child_id") : job->child_id;
      const char *household_id = field (s, "household_id") ? field (s, "household_id") : job->household_id;
      const char *state = field (s, "state") ? field (s, "state") : "delivered";
      g_autofree char *id = clmrs_uuid_new ();
      sqlite3_stmt *stmt;

      if (level == NULL)
        {
          g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                       "%s: unknown support type '%s'", s->ref, type ? type : "");
          return FALSE;
        }
      if (!g_str_equal (state, "delivered") && !g_str_equal (state, "planned") &&
          !g_str_equal (state, "declined"))
        {
          g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                       "%s: state is delivered, planned or declined, not '%s'", s->ref, state);
          return FALSE;
        }
      if (child_id != NULL && household_id == NULL)
        {
          if (!lookup_child (job, child_id, error))
            return FALSE;
          household_id = job->household_id;
        }
      stmt = clmrs_store_prepare (job->store,
          "INSERT INTO supports (id, level, type, support_date, community_id, household_id, child_id,"
          "  visit_id, facilitator_id, created, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          "  json_object ('state', ?11))", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, level, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, type, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, date, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, job->community_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, household_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 7, child_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 8, job->visit_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, job->facilitator_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 10, job->now, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 11, state, -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (job->store, stmt, error))
        return FALSE;

      if (!queue_record (job, CLMRS_RECORD_SUPPORT, id, 1, job->now, job->schema, NULL,
                         clmrs_support_record_body (level, type, state, date, child_id, household_id,
                                                    job->visit_id), error))
        return FALSE;

      if (child_id != NULL)
        g_ptr_array_add (job->touched, g_strdup (child_id));
      else if (household_id != NULL)
        {
          /* a household support counts for every child of the household */
          sqlite3_stmt *kids = clmrs_store_prepare (job->store,
              "SELECT id FROM children WHERE household_id = ?", error);
          if (kids == NULL)
            return FALSE;
          sqlite3_bind_text (kids, 1, household_id, -1, SQLITE_TRANSIENT);
          while (sqlite3_step (kids) == SQLITE_ROW)
            g_ptr_array_add (job->touched, clmrs_store_column_dup (kids, 0));
          sqlite3_finalize (kids);
        }
      if (job->child_id == NULL && child_id != NULL)
        job->child_id = g_strdup (child_id);
      if (job->household_id == NULL && household_id != NULL)
        job->household_id = g_strdup (household_id);
    }
  return TRUE;
}

static gboolean
finalise_awareness (Job     *job,
                    GError **error)
{
  g_autoptr(GPtrArray) sessions = clmrs_form_session_get_entities (job->session, "awareness");

  for (guint i = 0; i < sessions->len; i++)
    {
      const ClmrsEntityData *s = g_ptr_array_index (sessions, i);
      g_autofree char *id = clmrs_uuid_new ();
      const char *date = field (s, "date") ? field (s, "date") : job->visit_date;
      const char *level = field (s, "level") ? field (s, "level") : "community";
      const char *community = field (s, "community_id") ? field (s, "community_id") : job->community_id;
      JsonObject *body;
      sqlite3_stmt *stmt;

      if (community == NULL)
        {
          g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                       "%s: an awareness session needs its community", s->ref);
          return FALSE;
        }
      if (g_strcmp0 (community, job->community_id) != 0)
        {
          g_free (job->community_id);
          job->community_id = g_strdup (community);
        }
      stmt = clmrs_store_prepare (job->store,
          "INSERT INTO awareness_sessions (id, community_id, session_date, level, topic, men, women,"
          "  boys, girls, household_id, visit_id, facilitator_id, created)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, community, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, date, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, level, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, field (s, "topic"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 6, field_int (s, "men"));
      sqlite3_bind_int64 (stmt, 7, field_int (s, "women"));
      sqlite3_bind_int64 (stmt, 8, field_int (s, "boys"));
      sqlite3_bind_int64 (stmt, 9, field_int (s, "girls"));
      sqlite3_bind_text (stmt, 10, field (s, "household_id"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 11, job->visit_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 12, job->facilitator_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 13, job->now, -1, SQLITE_TRANSIENT);
      if (!clmrs_store_step_done (job->store, stmt, error))
        return FALSE;

      body = json_object_new ();
      json_object_set_string_member (body, "date", date);
      json_object_set_string_member (body, "level", level);
      clmrs_json_set_nullable (body, "topic", field (s, "topic"));
      json_object_set_int_member (body, "men", field_int (s, "men"));
      json_object_set_int_member (body, "women", field_int (s, "women"));
      json_object_set_int_member (body, "boys", field_int (s, "boys"));
      json_object_set_int_member (body, "girls", field_int (s, "girls"));
      clmrs_json_set_nullable (body, "household_id", field (s, "household_id"));
      json_object_set_string_member (body, "visit_id", job->visit_id);
      if (!queue_record (job, CLMRS_RECORD_AWARENESS_SESSION, id, 1, job->now, job->schema, NULL,
                         object_node (body), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
finalise_community (Job     *job,
                    GError **error)
{
  g_autoptr(GPtrArray) communities = clmrs_form_session_get_entities (job->session, "community");
  const ClmrsEntityData *c;
  g_autofree char *profile = NULL;
  JsonObject *body;
  sqlite3_stmt *stmt;
  gint64 rev = 0;
  g_autofree char *created = NULL;
  g_autofree char *name = NULL;

  if (communities->len != 1)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "form %s has %u community groups, expected 1", job->form_id, communities->len);
      return FALSE;
    }
  c = g_ptr_array_index (communities, 0);
  if (field (c, "community_id") != NULL)
    {
      g_free (job->community_id);
      job->community_id = g_strdup (field (c, "community_id"));
    }
  if (job->community_id == NULL)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "%s: the profile names no community (community_id)", c->ref);
      return FALSE;
    }
  stmt = clmrs_store_prepare (job->store, "SELECT rev, created, name FROM communities WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, job->community_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      rev = sqlite3_column_int64 (stmt, 0);
      created = clmrs_store_column_dup (stmt, 1);
      name = clmrs_store_column_dup (stmt, 2);
    }
  sqlite3_finalize (stmt);
  if (rev == 0)
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "community %s is not on this device", job->community_id);
      return FALSE;
    }

  profile = clmrs_json_to_string (job->answers);
  stmt = clmrs_store_prepare (job->store,
      "UPDATE communities SET rev = ?, modified = ?, profile = ?,"
      "  name = coalesce (?, name), district = coalesce (?, district), country = coalesce (?, country)"
      " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rev + 1);
  sqlite3_bind_text (stmt, 2, job->now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, field (c, "name"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, field (c, "district"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, field (c, "country"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, job->community_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (job->store, stmt, error))
    return FALSE;

  body = json_object_new ();
  json_object_set_string_member (body, "name", field (c, "name") ? field (c, "name") : name);
  clmrs_json_set_nullable (body, "district", field (c, "district"));
  clmrs_json_set_nullable (body, "country", field (c, "country"));
  json_object_set_member (body, "profile", json_node_ref (job->answers));
  return queue_record (job, CLMRS_RECORD_COMMUNITY, job->community_id, rev + 1, created,
                       job->schema, NULL, object_node (body), error);
}

static gboolean
write_visit (Job     *job,
             GError **error)
{
  g_autofree char *answers = clmrs_json_to_string (job->answers);
  JsonObject *body;
  sqlite3_stmt *stmt = clmrs_store_prepare (job->store,
      "UPDATE visits SET state = 'final', community_id = ?, household_id = ?, child_id = ?,"
      "  child_status = ?, visit_date = ?, modified = ?, finalised = ?, rules = ?, answers = ?"
      " WHERE id = ? AND state = 'draft'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, job->community_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, job->household_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, job->child_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, job->child_status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, job->visit_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, job->now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, job->now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, job->rules_ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, answers, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, job->visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (job->store, stmt, error))
    return FALSE;

  /* the draft's autosaved answers are now in visits.answers */
  stmt = clmrs_store_prepare (job->store, "DELETE FROM answers WHERE visit_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, job->visit_id, -1, SQLITE_TRANSIENT);
  if (!clmrs_store_step_done (job->store, stmt, error))
    return FALSE;

  body = json_object_new ();
  json_object_set_string_member (body, "kind", job->kind);
  clmrs_json_set_nullable (body, "household_id", job->household_id);
  clmrs_json_set_nullable (body, "child_id", job->child_id);
  clmrs_json_set_nullable (body, "child_status", job->child_status);
  json_object_set_string_member (body, "date", job->visit_date);
  json_object_set_string_member (body, "started", job->started);
  json_object_set_member (body, "answers", json_node_ref (job->answers));
  json_object_set_array_member (body, "assessments", json_array_ref (job->assessments));
  if (job->corrects != NULL)
    json_object_set_string_member (body, "corrects", job->corrects);
  return queue_record (job, CLMRS_RECORD_VISIT, job->visit_id, 1, job->started,
                       job->schema, job->rules_ref, object_node (body), error);
}

/* The children of the visit a correction replaces: their cases lose its
 * assessments and must be evaluated again, even one the correction no
 * longer assesses. */
static gboolean
touch_corrected (Job     *job,
                 GError **error)
{
  return clmrs_casebook_visit_children (job->store, job->corrects, job->touched, error);
}

gboolean
clmrs_visit_finalise (ClmrsStore           *store,
                      const char           *visit_id,
                      ClmrsFormSession     *session,
                      const ClmrsRuleSet   *rules,
                      const char           *visit_date,
                      ClmrsFinaliseResult **result,
                      GError              **error)
{
  return clmrs_visit_finalise_full (store, visit_id, session, rules, visit_date, NULL, result, error);
}

gboolean
clmrs_visit_finalise_full (ClmrsStore            *store,
                           const char            *visit_id,
                           ClmrsFormSession      *session,
                           const ClmrsRuleSet    *rules,
                           const char            *visit_date,
                           const ClmrsCaseConfig *config,
                           ClmrsFinaliseResult  **result,
                           GError               **error)
{
  Job job = { .store = store, .session = session, .rules = rules, .visit_id = visit_id };
  g_autoptr(GPtrArray) problems = NULL;
  GDate date;
  gboolean ok = FALSE;

  g_return_val_if_fail (store != NULL && visit_id != NULL && session != NULL && rules != NULL, FALSE);

  problems = clmrs_form_session_validate (session);
  if (problems->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < MIN (problems->len, 3); i++)
        {
          const ClmrsFormProblem *p = g_ptr_array_index (problems, i);
          g_string_append_printf (list, "%s%s: %s", i ? "; " : "", p->node, p->reason);
        }
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INCOMPLETE,
                   "the visit cannot be finalised: %u question%s to fix: %s%s",
                   problems->len, problems->len == 1 ? "" : "s", list->str,
                   problems->len > 3 ? "; ..." : "");
      return FALSE;
    }
  if (visit_date == NULL)
    clmrs_date_today (&date);
  else if (!clmrs_date_parse (visit_date, &date))
    {
      g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID,
                   "visit date '%s' is not YYYY-MM-DD", visit_date);
      return FALSE;
    }

  if (!clmrs_store_begin (store, error))
    return FALSE;
  job.visit_date = clmrs_date_format (&date);
  job.now = clmrs_now_rfc3339 ();
  job.answers = clmrs_form_session_to_json (session);
  job.assessments = json_array_new ();
  job.touched = g_ptr_array_new_with_free_func (g_free);
  job.queued = g_ptr_array_new_with_free_func (queued_free);
  job.result = g_new0 (ClmrsFinaliseResult, 1);
  job.result->visit_id = g_strdup (visit_id);
  job.result->children = g_ptr_array_new_with_free_func (child_outcome_free);

  if (!load_visit (&job, error))
    goto out;
  /* a correction is of the day of the visit it corrects */
  if (visit_date == NULL && job.corrects_date != NULL && clmrs_date_parse (job.corrects_date, &date))
    {
      g_free (job.visit_date);
      job.visit_date = clmrs_date_format (&date);
    }
  if (job.corrects != NULL && !touch_corrected (&job, error))
    goto out;
  job.schema = g_strdup_printf ("%s@%s", job.form_id, *job.form_version ? job.form_version : "0");

  if (g_str_equal (job.kind, "household"))
    ok = finalise_household (&job, error);
  else if (g_str_equal (job.kind, "follow_up"))
    ok = finalise_follow_up (&job, error);
  else if (g_str_equal (job.kind, "farm"))
    ok = finalise_farm (&job, error);
  else if (g_str_equal (job.kind, "support"))
    ok = finalise_support (&job, error);
  else if (g_str_equal (job.kind, "awareness"))
    ok = finalise_awareness (&job, error);
  else if (g_str_equal (job.kind, "community"))
    ok = finalise_community (&job, error);
  else if (g_str_equal (job.kind, "closure"))
    ok = finalise_closure (&job, error);
  else
    g_set_error (error, CLMRS_VISIT_ERROR, CLMRS_VISIT_ERROR_INVALID, "unknown visit kind '%s'", job.kind);

  ok = ok && write_visit (&job, error) && clmrs_media_drop_unanswered (store, visit_id, job.answers, error) &&
       enqueue_all (&job, error);
  for (guint i = 0; ok && i < job.touched->len; i++)
    ok = clmrs_casebook_refresh_child (store, g_ptr_array_index (job.touched, i), &date, config, error);
  ok = ok && clmrs_store_commit (store, error);

out:
  if (!ok)
    {
      clmrs_store_rollback (store);
      g_prefix_error (error, "finalising visit %s: ", visit_id);
    }
  else
    {
      job.result->household_id = g_strdup (job.household_id);
      if (result != NULL)
        *result = g_steal_pointer (&job.result);
    }
  job_clear (&job);
  return ok;
}
