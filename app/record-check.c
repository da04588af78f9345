/* record-check.c: what a record's body must hold for a device to apply it.
 *
 * One check for both ends of sync: the server refuses (`rejected`, with
 * the reason) a body that no device could apply, and a device sets aside
 * a pulled record that fails it instead of stopping its whole pull.  It
 * mirrors the device store's columns and CHECK constraints (store.c) and
 * the codes the core knows (visit kinds, statuses, support levels,
 * decisions), so the two cannot drift apart silently: a value added to
 * one must be added here, and test-record-check says where.
 */
#define G_LOG_DOMAIN "clmrs-record"

#include "cases.h"
#include "record.h"

#include "rules.h"
#include "util.h"

#include <string.h>

G_DEFINE_QUARK (clmrs-record-error-quark, clmrs_record_error)

/* The values the device store accepts (store.c's CHECK constraints). */
static const char *const support_states[] = { "delivered", "planned", "declined", NULL };
static const char *const visit_kinds[] = { "household", "follow_up", "support", "awareness", "community", "closure", "farm", NULL };
static const char *const child_statuses[] = { "present", "moved", "lost", NULL };
static const char *const support_levels[] = { "child", "household", "community", "referral", NULL };
static const char *const decisions[] = { "approved", "returned", NULL };
static const char *const sexes[] = { "male", "female", NULL };
/* What the audit trail records (audit.c). */
static const char *const audit_actions[] = {
  "sign_in", "wrong_pin", "sign_out", "locked", "open_household", "open_visit", "review", "pin_lockout",
  "wipe", NULL
};

typedef enum {
  OPTIONAL,   /* absent or null is fine */
  REQUIRED,
} Presence;

static gboolean
fail (GError    **error,
      const char *path,
      const char *name,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError    **error,
      const char *path,
      const char *name,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CLMRS_RECORD_ERROR, CLMRS_RECORD_ERROR_INVALID, "%s%s: %s", path, name, message);
  return FALSE;
}

/* The member @name, or NULL when absent or JSON null. */
static JsonNode *
member (JsonObject *o,
        const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
check_presence (JsonObject  *o,
                const char  *path,
                const char  *name,
                Presence     presence,
                JsonNode   **out,
                GError     **error)
{
  *out = member (o, name);
  if (*out == NULL && presence == REQUIRED)
    return fail (error, path, name, "missing");
  return TRUE;
}

static gboolean
check_string (JsonObject  *o,
              const char  *path,
              const char  *name,
              Presence     presence,
              GError     **error)
{
  JsonNode *node;

  if (!check_presence (o, path, name, presence, &node, error))
    return FALSE;
  if (node != NULL && !is_string (node))
    return fail (error, path, name, "expected a string");
  if (node != NULL && presence == REQUIRED && *json_node_get_string (node) == '\0')
    return fail (error, path, name, "expected a non-empty string");
  return TRUE;
}

static gboolean
check_one_of (JsonObject         *o,
              const char         *path,
              const char         *name,
              Presence            presence,
              const char * const *values,
              GError            **error)
{
  JsonNode *node;

  if (!check_presence (o, path, name, presence, &node, error))
    return FALSE;
  if (node != NULL && (!is_string (node) || !g_strv_contains (values, json_node_get_string (node))))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) values);

      return fail (error, path, name, "expected one of %s", list);
    }
  return TRUE;
}

static gboolean
check_date (JsonObject  *o,
            const char  *path,
            const char  *name,
            Presence     presence,
            GError     **error)
{
  JsonNode *node;
  GDate date;

  if (!check_presence (o, path, name, presence, &node, error))
    return FALSE;
  if (node != NULL && (!is_string (node) || !clmrs_date_parse (json_node_get_string (node), &date)))
    return fail (error, path, name, "expected a date (YYYY-MM-DD)");
  return TRUE;
}

static gboolean
check_count (JsonObject  *o,
             const char  *path,
             const char  *name,
             gint64       max,
             GError     **error)
{
  JsonNode *node = member (o, name);

  if (node != NULL && (!is_integer (node) || json_node_get_int (node) < 0 || json_node_get_int (node) > max))
    return fail (error, path, name, "expected an integer from 0 to %" G_GINT64_FORMAT, max);
  return TRUE;
}

static gboolean
check_kind (JsonObject  *o,
            const char  *path,
            const char  *name,
            JsonNodeType type,
            Presence     presence,
            GError     **error)
{
  JsonNode *node;

  if (!check_presence (o, path, name, presence, &node, error))
    return FALSE;
  if (node != NULL && JSON_NODE_TYPE (node) != type)
    return fail (error, path, name, type == JSON_NODE_OBJECT ? "expected an object" : "expected an array");
  return TRUE;
}

static gboolean
check_assessments (JsonObject  *body,
                   GError     **error)
{
  JsonNode *node = member (body, "assessments");
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, "body.", "assessments", "expected an array");
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("body.assessments[%u].", i);
      JsonObject *a;
      JsonNode *status;
      ClmrsStatus parsed;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (error, "body.", "assessments", "element %u is not an object", i);
      a = json_node_get_object (element);
      if (!check_string (a, path, "child_id", REQUIRED, error) ||
          !check_presence (a, path, "status", REQUIRED, &status, error))
        return FALSE;
      if (!is_string (status) || !clmrs_status_from_string (json_node_get_string (status), &parsed))
        return fail (error, path, "status", "not a status this device knows");
      if (!check_kind (a, path, "reasons", JSON_NODE_ARRAY, OPTIONAL, error) ||
          !check_kind (a, path, "profile", JSON_NODE_OBJECT, OPTIONAL, error) ||
          !check_string (a, path, "rules", OPTIONAL, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * clmrs_record_check_body:
 * @type: the envelope's type
 * @body: its body
 *
 * Checks that @body holds what a device needs to apply a record of @type:
 * required members, their JSON types, and codes from the lists the
 * device store accepts.  References to other records (a child's
 * household) are not checked here: whether they exist depends on the
 * store.
 *
 * Returns: %TRUE, or %FALSE with a %CLMRS_RECORD_ERROR_INVALID error
 *   naming the member ("body.kind: expected one of household, …").
 */
/* A closure visit names its child and a reason the case rules know, where
 * the casebook reads it (answers.child.closure_reason, case_closure.xml). */
static gboolean
check_closure (JsonObject  *body,
               GError     **error)
{
  JsonNode *answers = member (body, "answers");
  JsonNode *child = answers && JSON_NODE_HOLDS_OBJECT (answers)
                    ? json_object_get_member (json_node_get_object (answers), "child") : NULL;
  JsonNode *reason = child && JSON_NODE_HOLDS_OBJECT (child)
                     ? json_object_get_member (json_node_get_object (child), "closure_reason") : NULL;
  ClmrsClosureReason code;

  if (g_strcmp0 (json_object_get_string_member_with_default (body, "kind", ""), "closure") != 0)
    return TRUE;
  if (!check_string (body, "body.", "child_id", REQUIRED, error))
    return FALSE;
  if (reason == NULL || !JSON_NODE_HOLDS_VALUE (reason) ||
      json_node_get_value_type (reason) != G_TYPE_STRING ||
      !clmrs_closure_reason_from_string (json_node_get_string (reason), &code))
    return fail (error, "body.", "answers.child.closure_reason",
                 "expected one of deceased, moved_out, consent_withdrawn, aged_out, duplicate");
  return TRUE;
}

gboolean
clmrs_record_check_body (ClmrsRecordType   type,
                         JsonObject       *body,
                         GError          **error)
{
  const char *b = "body.";

  g_return_val_if_fail (body != NULL, FALSE);

  switch (type)
    {
    case CLMRS_RECORD_COMMUNITY:
      return check_string (body, b, "name", REQUIRED, error) &&
             check_string (body, b, "district", OPTIONAL, error) &&
             check_string (body, b, "country", OPTIONAL, error) &&
             check_kind (body, b, "profile", JSON_NODE_OBJECT, OPTIONAL, error);
    case CLMRS_RECORD_HOUSEHOLD:
      return check_string (body, b, "head_name", REQUIRED, error) &&
             check_one_of (body, b, "head_sex", OPTIONAL, sexes, error);
    case CLMRS_RECORD_CHILD:
      return check_string (body, b, "household_id", REQUIRED, error) &&
             check_string (body, b, "name", REQUIRED, error) &&
             check_one_of (body, b, "sex", OPTIONAL, sexes, error) &&
             check_date (body, b, "dob", OPTIONAL, error) &&
             check_count (body, b, "age", 150, error) &&
             check_date (body, b, "age_on", OPTIONAL, error);
    case CLMRS_RECORD_VISIT:
      return check_one_of (body, b, "kind", REQUIRED, visit_kinds, error) &&
             check_string (body, b, "household_id", OPTIONAL, error) &&
             check_string (body, b, "child_id", OPTIONAL, error) &&
             check_one_of (body, b, "child_status", OPTIONAL, child_statuses, error) &&
             check_date (body, b, "date", REQUIRED, error) &&
             check_string (body, b, "started", OPTIONAL, error) &&
             check_kind (body, b, "answers", JSON_NODE_OBJECT, OPTIONAL, error) &&
             check_assessments (body, error) &&
             check_closure (body, error) &&
             check_string (body, b, "corrects", OPTIONAL, error);
    case CLMRS_RECORD_SUPPORT:
      return check_one_of (body, b, "level", REQUIRED, support_levels, error) &&
             check_string (body, b, "type", REQUIRED, error) &&
             check_one_of (body, b, "state", OPTIONAL, support_states, error) &&
             check_date (body, b, "date", REQUIRED, error) &&
             check_string (body, b, "child_id", OPTIONAL, error) &&
             check_string (body, b, "household_id", OPTIONAL, error) &&
             check_string (body, b, "visit_id", OPTIONAL, error);
    case CLMRS_RECORD_AWARENESS_SESSION:
      return check_date (body, b, "date", REQUIRED, error) &&
             check_string (body, b, "level", OPTIONAL, error) &&
             check_string (body, b, "topic", OPTIONAL, error) &&
             check_count (body, b, "men", 100000, error) &&
             check_count (body, b, "women", 100000, error) &&
             check_count (body, b, "boys", 100000, error) &&
             check_count (body, b, "girls", 100000, error) &&
             check_string (body, b, "household_id", OPTIONAL, error);
    case CLMRS_RECORD_REVIEW:
      {
        JsonNode *rev = member (body, "visit_rev");

        if (!check_string (body, b, "visit_id", REQUIRED, error) ||
            !check_one_of (body, b, "decision", REQUIRED, decisions, error) ||
            !check_string (body, b, "message", OPTIONAL, error))
          return FALSE;
        if (rev == NULL)
          return fail (error, b, "visit_rev", "missing");
        if (!is_integer (rev) || json_node_get_int (rev) < 1)
          return fail (error, b, "visit_rev", "expected an integer >= 1");
        return TRUE;
      }
    case CLMRS_RECORD_AUDIT:
      {
        JsonNode *at = member (body, "at");
        g_autoptr(GDateTime) time = NULL;

        if (!check_one_of (body, b, "action", REQUIRED, audit_actions, error))
          return FALSE;
        if (at == NULL)
          return fail (error, b, "at", "missing");
        if (!is_string (at) || (time = clmrs_time_parse_rfc3339 (json_node_get_string (at))) == NULL)
          return fail (error, b, "at", "expected an RFC 3339 UTC time");
        return check_string (body, b, "subject_type", OPTIONAL, error) &&
               check_string (body, b, "subject_id", OPTIONAL, error) &&
               check_string (body, b, "detail", OPTIONAL, error);
      }
    default:
      g_assert_not_reached ();
    }
}

void
clmrs_record_ref_free (ClmrsRecordRef *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->member);
  g_free (ref->id);
  g_clear_pointer (&ref->same, json_object_unref);
  g_free (ref);
}

static ClmrsRecordRef *
add_ref (GPtrArray       *refs,
         char            *member,
         ClmrsRecordType  type,
         JsonNode        *node)
{
  ClmrsRecordRef *ref;

  if (node == NULL || !is_string (node))
    {
      g_free (member);
      return NULL;
    }
  ref = g_new0 (ClmrsRecordRef, 1);
  ref->member = member;
  ref->type = type;
  ref->id = g_strdup (json_node_get_string (node));
  g_ptr_array_add (refs, ref);
  return ref;
}

/* What a correction shares with the visit it corrects: it is the same
 * visit done again, so of the same kind, household and child. */
static JsonObject *
correction_same (JsonObject *body)
{
  static const char *const members[] = { "kind", "household_id", "child_id" };
  JsonObject *same = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = member (body, members[i]);

      if (node != NULL)
        json_object_set_member (same, members[i], json_node_copy (node));
      else
        json_object_set_null_member (same, members[i]);
    }
  return same;
}

gboolean
clmrs_record_ref_check_target (const ClmrsRecordRef *ref,
                               JsonObject           *target_body,
                               GError              **error)
{
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (ref != NULL && target_body != NULL, FALSE);

  if (ref->same == NULL)
    return TRUE;
  names = json_object_get_members (ref->same);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *want = member (ref->same, l->data);
      JsonNode *have = member (target_body, l->data);

      if ((want == NULL) != (have == NULL) ||
          (want != NULL && !json_node_equal (want, have)))
        return fail (error, "", ref->member, "%s %s has another %s (%s, not %s): a correction is of the "
                     "same visit, household and child", clmrs_record_type_to_string (ref->type), ref->id,
                     (const char *) l->data,
                     have && is_string (have) ? json_node_get_string (have) : "none",
                     want && is_string (want) ? json_node_get_string (want) : "none");
    }
  return TRUE;
}

/**
 * clmrs_record_references:
 * @type: the envelope's type
 * @body: its body (checked with clmrs_record_check_body())
 *
 * The records this one points at, which must be where it is applied
 * first: a child's household, a visit's household, child and assessed
 * children, a support's child, household and visit, an awareness
 * session's household, a review's visit, the returned visit a visit
 * corrects (with `same`: its kind, household and child).  Members absent or null are
 * left out.
 *
 * Returns: (transfer full) (element-type ClmrsRecordRef): the references.
 */
GPtrArray *
clmrs_record_references (ClmrsRecordType  type,
                         JsonObject      *body)
{
  static const struct {
    ClmrsRecordType type;
    const char     *member;
    ClmrsRecordType target;
  } table[] = {
    { CLMRS_RECORD_CHILD, "household_id", CLMRS_RECORD_HOUSEHOLD },
    { CLMRS_RECORD_VISIT, "household_id", CLMRS_RECORD_HOUSEHOLD },
    { CLMRS_RECORD_VISIT, "child_id", CLMRS_RECORD_CHILD },
    { CLMRS_RECORD_SUPPORT, "household_id", CLMRS_RECORD_HOUSEHOLD },
    { CLMRS_RECORD_SUPPORT, "child_id", CLMRS_RECORD_CHILD },
    { CLMRS_RECORD_SUPPORT, "visit_id", CLMRS_RECORD_VISIT },
    { CLMRS_RECORD_AWARENESS_SESSION, "household_id", CLMRS_RECORD_HOUSEHOLD },
    { CLMRS_RECORD_REVIEW, "visit_id", CLMRS_RECORD_VISIT },
    { CLMRS_RECORD_VISIT, "corrects", CLMRS_RECORD_VISIT },
  };
  GPtrArray *refs = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_record_ref_free);
  JsonNode *assessments;

  g_return_val_if_fail (body != NULL, refs);

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].type == type)
      {
        ClmrsRecordRef *ref = add_ref (refs, g_strconcat ("body.", table[i].member, NULL), table[i].target,
                                       member (body, table[i].member));

        if (ref != NULL && g_str_equal (table[i].member, "corrects"))
          ref->same = correction_same (body);
      }

  assessments = type == CLMRS_RECORD_VISIT ? member (body, "assessments") : NULL;
  if (assessments != NULL && JSON_NODE_HOLDS_ARRAY (assessments))
    {
      JsonArray *array = json_node_get_array (assessments);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            add_ref (refs, g_strdup_printf ("body.assessments[%u].child_id", i), CLMRS_RECORD_CHILD,
                     member (json_node_get_object (element), "child_id"));
        }
    }
  return refs;
}
