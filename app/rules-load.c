/* rules-load.c: loads a national rule set from JSON, strictly, naming the member at fault. */
#define G_LOG_DOMAIN "clmrs-rules"

#include "rules-private.h"
#include "assets.h"

#include <gio/gio.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

static void
support_rule_free (SupportRule *rule)
{
  g_strfreev (rule->status);
  g_strfreev (rule->reason);
  g_strfreev (rule->item);
  g_strfreev (rule->suggest);
  g_free (rule);
}

/**
 * clmrs_rule_set_free:
 * Frees @rules and everything it owns; %NULL is ignored.
 */
void
clmrs_rule_set_free (ClmrsRuleSet *rules)
{
  if (rules == NULL)
    return;
  g_free (rules->id);
  g_free (rules->version);
  g_free (rules->label);
  g_free (rules->origin);
  g_strfreev (rules->sources);
  g_free (rules->night_start);
  g_free (rules->night_end);
  for (int l = 0; l < N_LISTS; l++)
    g_clear_pointer (&rules->lists[l], g_ptr_array_unref);
  g_clear_pointer (&rules->codes, g_hash_table_unref);
  g_clear_pointer (&rules->permitted, g_hash_table_unref);
  g_clear_pointer (&rules->permitted_from, g_hash_table_unref);
  g_clear_pointer (&rules->provisional, g_hash_table_unref);
  g_clear_pointer (&rules->supports, g_ptr_array_unref);
  g_free (rules);
}

/* ---------------------------------------------------------------------------
 * Strict JSON reading helpers.  Every failure names the origin and the path.
 * ------------------------------------------------------------------------- */

typedef struct {
  const char  *origin;
  GError     **error;
} Loader;

const char *
_clmrs_json_node_kind (JsonNode *node)
{
  if (node == NULL)
    return "nothing";
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return "integer";
    case G_TYPE_DOUBLE:
      return "number";
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_STRING:
      return "string";
    default:
      return "value";
    }
}

gboolean
_clmrs_json_node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* An integer, or a number with no fraction (within +-2^53). */
gboolean
_clmrs_json_node_get_int64 (JsonNode *node,
                            gint64   *out)
{
  double value;

  if (!_clmrs_json_node_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  value = json_node_get_double (node);
  if (value != floor (value) || fabs (value) > 9007199254740992.0)
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

gboolean
_clmrs_json_node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
_clmrs_json_node_is_bool (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static gboolean load_fail (Loader     *ld,
                           const char *path,
                           const char *format,
                           ...) G_GNUC_PRINTF (3, 4);

static gboolean
load_fail (Loader     *ld,
           const char *path,
           const char *format,
           ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (path != NULL && *path != '\0')
    g_set_error (ld->error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_INVALID,
                 "%s: %s: %s", ld->origin, path, message);
  else
    g_set_error (ld->error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_INVALID,
                 "%s: %s", ld->origin, message);
  return FALSE;
}

static char *
join_path (const char *prefix,
           const char *key)
{
  if (prefix == NULL || *prefix == '\0')
    return g_strdup (key);
  return g_strconcat (prefix, ".", key, NULL);
}

/* Fails on any member of @object not in @allowed. */
static gboolean
check_keys (Loader             *ld,
            JsonObject         *object,
            const char         *prefix,
            const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *path = join_path (prefix, l->data);
          g_autofree char *known = g_strjoinv (", ", (char **) allowed);
          return load_fail (ld, path, "unknown key (expected one of: %s)", known);
        }
    }
  return TRUE;
}

/* The member @key, or a "missing" failure. */
static JsonNode *
need (Loader     *ld,
      JsonObject *object,
      const char *prefix,
      const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    {
      g_autofree char *path = join_path (prefix, key);
      load_fail (ld, path, "missing (required)");
    }
  return node;
}

static gboolean
read_int (Loader     *ld,
          JsonObject *object,
          const char *prefix,
          const char *key,
          int         min,
          int         max,
          int        *out)
{
  JsonNode *node = need (ld, object, prefix, key);
  g_autofree char *path = join_path (prefix, key);
  gint64 value;

  if (node == NULL)
    return FALSE;
  if (!_clmrs_json_node_get_int64 (node, &value))
    return load_fail (ld, path, "expected an integer, got %s", _clmrs_json_node_kind (node));
  if (value < min || value > max)
    return load_fail (ld, path, "%" G_GINT64_FORMAT " is out of range (%d to %d)", value, min, max);
  *out = (int) value;
  return TRUE;
}

static gboolean
read_bool (Loader     *ld,
           JsonObject *object,
           const char *prefix,
           const char *key,
           gboolean   *out)
{
  JsonNode *node = need (ld, object, prefix, key);
  g_autofree char *path = join_path (prefix, key);

  if (node == NULL)
    return FALSE;
  if (!_clmrs_json_node_is_bool (node))
    return load_fail (ld, path, "expected a boolean, got %s", _clmrs_json_node_kind (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_string (Loader     *ld,
             JsonObject *object,
             const char *prefix,
             const char *key,
             char      **out)
{
  JsonNode *node = need (ld, object, prefix, key);
  g_autofree char *path = join_path (prefix, key);

  if (node == NULL)
    return FALSE;
  if (!_clmrs_json_node_is_string (node))
    return load_fail (ld, path, "expected a string, got %s", _clmrs_json_node_kind (node));
  if (*json_node_get_string (node) == '\0')
    return load_fail (ld, path, "must not be empty");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* An object member, or NULL (with no error) when it is JSON null and @nullable. */
static JsonObject *
read_object (Loader     *ld,
             JsonObject *object,
             const char *prefix,
             const char *key,
             gboolean    nullable,
             gboolean   *failed)
{
  JsonNode *node = need (ld, object, prefix, key);
  g_autofree char *path = join_path (prefix, key);

  *failed = TRUE;
  if (node == NULL)
    return NULL;
  if (nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *failed = FALSE;
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      load_fail (ld, path, "expected an object%s, got %s",
                 nullable ? " or null" : "", _clmrs_json_node_kind (node));
      return NULL;
    }
  *failed = FALSE;
  return json_node_get_object (node);
}

static gboolean
code_is_well_formed (const char *code)
{
  gsize len = strlen (code);

  if (len == 0 || len > 64 || !g_ascii_islower (code[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (code[i]) && !g_ascii_isdigit (code[i]) && code[i] != '_')
      return FALSE;
  return TRUE;
}

/* An array of distinct, well-formed code strings. */
static GStrv
read_codes (Loader     *ld,
            JsonObject *object,
            const char *prefix,
            const char *key,
            gboolean    allow_empty)
{
  JsonNode *node = need (ld, object, prefix, key);
  g_autofree char *path = join_path (prefix, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  guint n;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      load_fail (ld, path, "expected an array of strings, got %s", _clmrs_json_node_kind (node));
      return NULL;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 && !allow_empty)
    {
      load_fail (ld, path, "must not be empty");
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *code;

      if (!_clmrs_json_node_is_string (element))
        {
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);
          load_fail (ld, epath, "expected a string, got %s", _clmrs_json_node_kind (element));
          return NULL;
        }
      code = json_node_get_string (element);
      if (!code_is_well_formed (code))
        {
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);
          load_fail (ld, epath, "'%s' is not a code (lower-case letters, digits and _, "
                     "starting with a letter, at most 64)", code);
          return NULL;
        }
      if (g_hash_table_contains (seen, code))
        {
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);
          load_fail (ld, epath, "duplicate code '%s'", code);
          return NULL;
        }
      g_hash_table_add (seen, (gpointer) code);
      g_strv_builder_add (builder, code);
    }
  return g_strv_builder_end (builder);
}

static gboolean
read_op (Loader     *ld,
         JsonObject *object,
         const char *prefix,
         gboolean   *strict)
{
  g_autofree char *op = NULL;
  g_autofree char *path = join_path (prefix, "op");

  if (!read_string (ld, object, prefix, "op", &op))
    return FALSE;
  if (g_str_equal (op, ">="))
    *strict = FALSE;
  else if (g_str_equal (op, ">"))
    *strict = TRUE;
  else
    return load_fail (ld, path, "expected \">=\" or \">\", got \"%s\"", op);
  return TRUE;
}

/* {"hours", "op"} plus "min_age"/"max_age" when @with_min/@with_max. */
static gboolean
read_threshold (Loader     *ld,
                JsonObject *parent,
                const char *prefix,
                const char *key,
                gboolean    nullable,
                gboolean    with_min,
                gboolean    with_max,
                Threshold  *out)
{
  g_autofree char *path = join_path (prefix, key);
  gboolean failed;
  JsonObject *object = read_object (ld, parent, prefix, key, nullable, &failed);
  const char *allowed[5] = { "hours", "op", NULL, NULL, NULL };
  JsonNode *hours;
  int a = 2;

  memset (out, 0, sizeof *out);
  out->min_age = SCOPE_MIN_AGE;
  out->max_age = SCOPE_MAX_AGE;
  if (failed)
    return FALSE;
  if (object == NULL)
    return TRUE;                  /* null: disabled */
  if (with_min)
    allowed[a++] = "min_age";
  if (with_max)
    allowed[a++] = "max_age";
  if (!check_keys (ld, object, path, (const char * const *) allowed))
    return FALSE;
  hours = need (ld, object, path, "hours");
  if (hours == NULL)
    return FALSE;
  if (!_clmrs_json_node_is_number (hours))
    {
      g_autofree char *hpath = join_path (path, "hours");
      return load_fail (ld, hpath, "expected a number, got %s", _clmrs_json_node_kind (hours));
    }
  out->hours = json_node_get_double (hours);
  if (out->hours < 0 || out->hours > HOURS_IN_WEEK)
    {
      g_autofree char *hpath = join_path (path, "hours");
      return load_fail (ld, hpath, "%g is out of range (0 to 168 hours a week)", out->hours);
    }
  if (!read_op (ld, object, path, &out->strict))
    return FALSE;
  if (!out->strict && out->hours == 0)
    {
      g_autofree char *hpath = join_path (path, "hours");
      return load_fail (ld, hpath, "\">=\" 0 would match every child; use \">\" 0");
    }
  if (with_min && !read_int (ld, object, path, "min_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &out->min_age))
    return FALSE;
  if (with_max && !read_int (ld, object, path, "max_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &out->max_age))
    return FALSE;
  if (out->min_age > out->max_age)
    {
      g_autofree char *mpath = join_path (path, "max_age");
      return load_fail (ld, mpath, "%d is below min_age (%d)", out->max_age, out->min_age);
    }
  out->enabled = TRUE;
  return TRUE;
}

/* {"min_age", "max_age"} or null. */
static gboolean
read_age_range (Loader     *ld,
                JsonObject *parent,
                const char *prefix,
                const char *key,
                Threshold  *out)
{
  static const char * const allowed[] = { "min_age", "max_age", NULL };
  g_autofree char *path = join_path (prefix, key);
  gboolean failed;
  JsonObject *object = read_object (ld, parent, prefix, key, TRUE, &failed);

  memset (out, 0, sizeof *out);
  if (failed)
    return FALSE;
  if (object == NULL)
    return TRUE;
  if (!check_keys (ld, object, path, allowed)
      || !read_int (ld, object, path, "min_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &out->min_age)
      || !read_int (ld, object, path, "max_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &out->max_age))
    return FALSE;
  if (out->min_age > out->max_age)
    {
      g_autofree char *mpath = join_path (path, "max_age");
      return load_fail (ld, mpath, "%d is below min_age (%d)", out->max_age, out->min_age);
    }
  out->enabled = TRUE;
  return TRUE;
}

static gboolean
is_clock_time (const char *text)
{
  return strlen (text) == 5 && g_ascii_isdigit (text[0]) && g_ascii_isdigit (text[1])
         && text[2] == ':' && g_ascii_isdigit (text[3]) && g_ascii_isdigit (text[4])
         && (text[0] - '0') * 10 + (text[1] - '0') < 24
         && (text[3] - '0') * 10 + (text[4] - '0') < 60;
}

static gboolean
load_parameters (Loader       *ld,
                 JsonObject   *root,
                 ClmrsRuleSet *rules)
{
  static const char * const allowed[] = {
    "min_age_light_work", "min_age_employment", "min_age_hazardous",
    "below_light_work_age", "light_work_hours", "light_work_list_only",
    "long_hours", "chores", "night_work_hazardous", "night_window",
    "identifying_recall", "out_of_school_risk", "no_birth_certificate_risk", NULL
  };
  static const char * const night_allowed[] = { "start", "end", NULL };
  const char *p = "parameters";
  gboolean failed;
  JsonObject *params = read_object (ld, root, NULL, "parameters", FALSE, &failed);
  JsonObject *night;
  g_autofree char *recall = NULL;

  if (failed)
    return FALSE;
  if (!check_keys (ld, params, p, allowed))
    return FALSE;

  if (!read_int (ld, params, p, "min_age_light_work", SCOPE_MIN_AGE + 1, SCOPE_MAX_AGE + 1,
                 &rules->min_age_light_work))
    return FALSE;
  if (!read_int (ld, params, p, "min_age_employment", SCOPE_MIN_AGE + 1, SCOPE_MAX_AGE + 1,
                 &rules->min_age_employment))
    return FALSE;
  if (rules->min_age_employment < rules->min_age_light_work)
    return load_fail (ld, "parameters.min_age_employment",
                      "%d is below min_age_light_work (%d): ages out of order",
                      rules->min_age_employment, rules->min_age_light_work);
  if (!read_int (ld, params, p, "min_age_hazardous", SCOPE_MIN_AGE + 1, SCOPE_MAX_AGE + 1,
                 &rules->min_age_hazardous))
    return FALSE;
  if (rules->min_age_hazardous < rules->min_age_employment)
    return load_fail (ld, "parameters.min_age_hazardous",
                      "%d is below min_age_employment (%d): ages out of order",
                      rules->min_age_hazardous, rules->min_age_employment);

  if (!read_threshold (ld, params, p, "below_light_work_age", FALSE, FALSE, FALSE,
                       &rules->below_light_work_age)
      || !read_threshold (ld, params, p, "light_work_hours", FALSE, FALSE, FALSE,
                          &rules->light_work_hours)
      || !read_bool (ld, params, p, "light_work_list_only", &rules->light_work_list_only)
      || !read_threshold (ld, params, p, "long_hours", FALSE, TRUE, FALSE, &rules->long_hours)
      || !read_threshold (ld, params, p, "chores", TRUE, TRUE, TRUE, &rules->chores)
      || !read_bool (ld, params, p, "night_work_hazardous", &rules->night_work_hazardous))
    return FALSE;

  night = read_object (ld, params, p, "night_window", TRUE, &failed);
  if (failed)
    return FALSE;
  if (night != NULL)
    {
      const char *np = "parameters.night_window";
      if (!check_keys (ld, night, np, night_allowed)
          || !read_string (ld, night, np, "start", &rules->night_start)
          || !read_string (ld, night, np, "end", &rules->night_end))
        return FALSE;
      if (!is_clock_time (rules->night_start))
        return load_fail (ld, "parameters.night_window.start",
                          "expected a time HH:MM, got \"%s\"", rules->night_start);
      if (!is_clock_time (rules->night_end))
        return load_fail (ld, "parameters.night_window.end",
                          "expected a time HH:MM, got \"%s\"", rules->night_end);
    }

  if (!read_string (ld, params, p, "identifying_recall", &recall))
    return FALSE;
  if (g_str_equal (recall, "7d"))
    rules->recall = CLMRS_RECALL_7D;
  else if (g_str_equal (recall, "12m"))
    rules->recall = CLMRS_RECALL_12M;
  else
    return load_fail (ld, "parameters.identifying_recall",
                      "expected \"7d\" or \"12m\", got \"%s\"", recall);

  if (!read_age_range (ld, params, p, "out_of_school_risk", &rules->out_of_school_risk)
      || !read_bool (ld, params, p, "no_birth_certificate_risk",
                     &rules->no_birth_certificate_risk))
    return FALSE;
  return TRUE;
}

static int      list_index (const char         *list);

/* An optional object member: NULL with no error when absent. */
static JsonObject *
read_optional_object (Loader     *ld,
                      JsonObject *object,
                      const char *prefix,
                      const char *key,
                      gboolean   *failed)
{
  *failed = FALSE;
  if (!json_object_has_member (object, key))
    return NULL;
  return read_object (ld, object, prefix, key, FALSE, failed);
}

/* codes.tasks_permitted_from (optional): {"task": age}, a hazardous task
 * that is permitted work from that age (Ghana's cutlass weeding at 15-17). */
static gboolean
load_permitted_from (Loader       *ld,
                     JsonObject   *codes,
                     ClmrsRuleSet *rules)
{
  const char *p = "codes.tasks_permitted_from";
  gboolean failed;
  JsonObject *object = read_optional_object (ld, codes, "codes", "tasks_permitted_from", &failed);
  g_autoptr(GList) members = NULL;

  rules->permitted_from = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (failed)
    return FALSE;
  if (object == NULL)
    return TRUE;
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *task = l->data;
      g_autofree char *path = join_path (p, task);
      int age;

      if (!_clmrs_rules_is_list (rules, task, LIST_TASKS_HAZARDOUS))
        return load_fail (ld, path, "'%s' is not a hazardous task (not in codes.tasks_hazardous)",
                          task);
      if (!read_int (ld, object, p, task, 0, G_MAXINT, &age))
        return FALSE;
      if (age < rules->min_age_light_work || age >= rules->min_age_hazardous)
        return load_fail (ld, path, "%d is out of range (%d to %d: from min_age_light_work to "
                          "below min_age_hazardous)", age, rules->min_age_light_work,
                          rules->min_age_hazardous - 1);
      g_hash_table_insert (rules->permitted_from, g_strdup (task), GINT_TO_POINTER (age));
    }
  return TRUE;
}

/* codes.provisional (optional): {"list": {"code": "why it is provisional"}}:
 * entries not yet checked against the legal text.  A reason resting on one
 * says so. */
static gboolean
load_provisional (Loader       *ld,
                  JsonObject   *codes,
                  ClmrsRuleSet *rules)
{
  static const char * const allowed[] = {
    "tasks_hazardous", "tasks_light", "light_work_permitted", "hazard_conditions",
    "abuse", "wfcl_signals", "tasks_permitted_from", NULL
  };
  const char *p = "codes.provisional";
  gboolean failed;
  JsonObject *object = read_optional_object (ld, codes, "codes", "provisional", &failed);
  g_autoptr(GList) lists = NULL;

  rules->provisional = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (failed)
    return FALSE;
  if (object == NULL)
    return TRUE;
  if (!check_keys (ld, object, p, allowed))
    return FALSE;
  lists = json_object_get_members (object);
  for (GList *l = lists; l != NULL; l = l->next)
    {
      const char *list = l->data;
      g_autofree char *lpath = join_path (p, list);
      JsonObject *entries = read_object (ld, object, p, list, FALSE, &failed);
      g_autoptr(GList) members = NULL;

      if (failed)
        return FALSE;
      members = json_object_get_members (entries);
      for (GList *m = members; m != NULL; m = m->next)
        {
          const char *code = m->data;
          g_autofree char *path = join_path (lpath, code);
          g_autofree char *note = NULL;
          gboolean known;

          if (g_str_equal (list, "light_work_permitted"))
            known = _clmrs_rules_is_list (rules, code, LIST_TASKS_LIGHT);
          else if (g_str_equal (list, "tasks_permitted_from"))
            known = g_hash_table_contains (rules->permitted_from, code);
          else
            known = _clmrs_rules_is_list (rules, code, list_index (list));
          if (!known)
            return load_fail (ld, path, "'%s' is not in codes.%s%s", code,
                              g_str_equal (list, "light_work_permitted") ? "tasks_light" : list,
                              g_str_equal (list, "light_work_permitted")
                                ? " (a light task on or off the permitted list)" : "");
          if (!read_string (ld, entries, lpath, code, &note))
            return FALSE;
          g_hash_table_insert (rules->provisional, g_strconcat (list, "/", code, NULL),
                               g_steal_pointer (&note));
        }
    }
  return TRUE;
}

static gboolean
load_codes (Loader       *ld,
            JsonObject   *root,
            ClmrsRuleSet *rules)
{
  static const char * const allowed[] = {
    "tasks_hazardous", "tasks_light", "light_work_permitted", "hazard_conditions",
    "abuse", "wfcl_signals", "tasks_permitted_from", "provisional", NULL
  };
  gboolean failed;
  JsonObject *codes = read_object (ld, root, NULL, "codes", FALSE, &failed);
  g_auto(GStrv) permitted = NULL;

  if (failed)
    return FALSE;
  if (!check_keys (ld, codes, "codes", allowed))
    return FALSE;

  rules->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int l = 0; l < N_LISTS; l++)
    {
      g_auto(GStrv) list = read_codes (ld, codes, "codes", _clmrs_rules_list_names[l], FALSE);
      g_autofree char *path = g_strconcat ("codes.", _clmrs_rules_list_names[l], NULL);

      if (list == NULL)
        return FALSE;
      rules->lists[l] = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; list[i] != NULL; i++)
        {
          int shared = _clmrs_rules_shared_list_of (list[i]);
          gpointer other = g_hash_table_lookup (rules->codes, list[i]);
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);

          if (shared >= 0 && shared != l)
            return load_fail (ld, epath, "'%s' is a shared %s and cannot be listed as a %s",
                              list[i], _clmrs_rules_list_nouns[shared], _clmrs_rules_list_nouns[l]);
          if (other != NULL)
            return load_fail (ld, epath, "'%s' is already listed in codes.%s",
                              list[i], _clmrs_rules_list_names[GPOINTER_TO_INT (other) - 1]);
          g_hash_table_insert (rules->codes, g_strdup (list[i]), GINT_TO_POINTER (l + 1));
          g_ptr_array_add (rules->lists[l], g_strdup (list[i]));
        }
      for (guint i = 0; _clmrs_rules_shared_lists[l][i] != NULL; i++)
        if (!g_strv_contains ((const char * const *) list, _clmrs_rules_shared_lists[l][i]))
          return load_fail (ld, path, "shared code '%s' is missing (a rule set may add "
                            "codes, never drop or rename the shared ones)",
                            _clmrs_rules_shared_lists[l][i]);
    }

  permitted = read_codes (ld, codes, "codes", "light_work_permitted", TRUE);
  if (permitted == NULL)
    return FALSE;
  rules->permitted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; permitted[i] != NULL; i++)
    {
      gpointer list = g_hash_table_lookup (rules->codes, permitted[i]);
      g_autofree char *epath = g_strdup_printf ("codes.light_work_permitted[%u]", i);

      if (list == NULL)
        return load_fail (ld, epath, "unknown task code '%s' (not in codes.tasks_light)",
                          permitted[i]);
      if (GPOINTER_TO_INT (list) - 1 != LIST_TASKS_LIGHT)
        return load_fail (ld, epath, "'%s' is a %s, not a light task: it cannot be "
                          "permitted light work", permitted[i],
                          _clmrs_rules_list_nouns[GPOINTER_TO_INT (list) - 1]);
      g_hash_table_add (rules->permitted, g_strdup (permitted[i]));
    }
  return load_permitted_from (ld, codes, rules) && load_provisional (ld, codes, rules);
}

static gboolean
load_supports (Loader       *ld,
               JsonObject   *root,
               ClmrsRuleSet *rules)
{
  static const char * const entry_allowed[] = { "when", "suggest", "note", NULL };
  static const char * const when_allowed[] = {
    "status", "reason", "item", "min_age", "max_age", "in_school", NULL
  };
  JsonNode *node = need (ld, root, NULL, "supports");
  JsonArray *array;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return load_fail (ld, "supports", "expected an array, got %s", _clmrs_json_node_kind (node));
  array = json_node_get_array (node);
  rules->supports = g_ptr_array_new_with_free_func ((GDestroyNotify) support_rule_free);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("supports[%u]", i);
      g_autofree char *wpath = g_strdup_printf ("supports[%u].when", i);
      SupportRule *rule;
      JsonObject *entry, *when;
      gboolean failed;
      JsonNode *note;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return load_fail (ld, path, "expected an object, got %s", _clmrs_json_node_kind (element));
      entry = json_node_get_object (element);
      if (!check_keys (ld, entry, path, entry_allowed))
        return FALSE;
      note = json_object_get_member (entry, "note");
      if (note != NULL && !_clmrs_json_node_is_string (note))
        {
          g_autofree char *npath = join_path (path, "note");
          return load_fail (ld, npath, "expected a string, got %s", _clmrs_json_node_kind (note));
        }
      when = read_object (ld, entry, path, "when", FALSE, &failed);
      if (failed)
        return FALSE;
      if (!check_keys (ld, when, wpath, when_allowed))
        return FALSE;

      rule = g_new0 (SupportRule, 1);
      rule->min_age = rule->max_age = rule->in_school = -1;
      g_ptr_array_add (rules->supports, rule);
      if (json_object_has_member (when, "in_school"))
        {
          JsonNode *flag = json_object_get_member (when, "in_school");

          if (!JSON_NODE_HOLDS_VALUE (flag) || json_node_get_value_type (flag) != G_TYPE_BOOLEAN)
            {
              g_autofree char *ipath = join_path (wpath, "in_school");
              return load_fail (ld, ipath, "expected true or false, got %s", _clmrs_json_node_kind (flag));
            }
          rule->in_school = json_node_get_boolean (flag);
        }

      if (json_object_has_member (when, "status"))
        {
          rule->status = read_codes (ld, when, wpath, "status", FALSE);
          if (rule->status == NULL)
            return FALSE;
          for (guint s = 0; rule->status[s] != NULL; s++)
            {
              ClmrsStatus status;
              if (!clmrs_status_from_string (rule->status[s], &status))
                {
                  g_autofree char *spath = g_strdup_printf ("%s.status[%u]", wpath, s);
                  return load_fail (ld, spath, "unknown status '%s'", rule->status[s]);
                }
            }
        }
      if (json_object_has_member (when, "reason"))
        {
          rule->reason = read_codes (ld, when, wpath, "reason", FALSE);
          if (rule->reason == NULL)
            return FALSE;
          for (guint s = 0; rule->reason[s] != NULL; s++)
            if (!g_strv_contains (_clmrs_rules_reason_codes, rule->reason[s]))
              {
                g_autofree char *spath = g_strdup_printf ("%s.reason[%u]", wpath, s);
                return load_fail (ld, spath, "unknown reason code '%s'", rule->reason[s]);
              }
        }
      if (json_object_has_member (when, "item"))
        {
          rule->item = read_codes (ld, when, wpath, "item", FALSE);
          if (rule->item == NULL)
            return FALSE;
          for (guint s = 0; rule->item[s] != NULL; s++)
            if (!g_hash_table_contains (rules->codes, rule->item[s]))
              {
                g_autofree char *spath = g_strdup_printf ("%s.item[%u]", wpath, s);
                return load_fail (ld, spath, "unknown code '%s' (not declared in codes)",
                                  rule->item[s]);
              }
        }
      if (json_object_has_member (when, "min_age")
          && !read_int (ld, when, wpath, "min_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &rule->min_age))
        return FALSE;
      if (json_object_has_member (when, "max_age")
          && !read_int (ld, when, wpath, "max_age", SCOPE_MIN_AGE, SCOPE_MAX_AGE, &rule->max_age))
        return FALSE;
      if (rule->min_age >= 0 && rule->max_age >= 0 && rule->min_age > rule->max_age)
        {
          g_autofree char *mpath = join_path (wpath, "max_age");
          return load_fail (ld, mpath, "%d is below min_age (%d)", rule->max_age, rule->min_age);
        }

      rule->suggest = read_codes (ld, entry, path, "suggest", FALSE);
      if (rule->suggest == NULL)
        return FALSE;
      for (guint s = 0; rule->suggest[s] != NULL; s++)
        if (clmrs_support_type_level (rule->suggest[s]) == NULL)
          {
            g_autofree char *spath = g_strdup_printf ("%s.suggest[%u]", path, s);
            return load_fail (ld, spath, "unknown support type '%s'", rule->suggest[s]);
          }
    }
  return TRUE;
}

static gboolean
id_is_well_formed (const char *id)
{
  if (*id == '\0' || strlen (id) > 32)
    return FALSE;
  for (const char *c = id; *c != '\0'; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/**
 * clmrs_rule_set_load_data:
 * @data: the JSON text
 * @length: its length, or -1 when nul-terminated
 * @origin: what to call it in errors ("gh.json", a path)
 *
 * Parses and validates a rule set completely.  Returns: (transfer full): the
 * rule set, or %NULL with @error (CLMRS_RULES_ERROR_PARSE or _INVALID) whose
 * message starts with @origin and names the JSON path at fault.
 */
ClmrsRuleSet *
clmrs_rule_set_load_data (const char  *data,
                          gssize       length,
                          const char  *origin,
                          GError     **error)
{
  static const char * const allowed[] = {
    "format", "id", "version", "label", "sources", "parameters", "codes", "supports", NULL
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ClmrsRuleSet) rules = g_new0 (ClmrsRuleSet, 1);
  g_autoptr(GError) local = NULL;
  Loader ld = { origin, error };
  JsonNode *root_node;
  JsonObject *root;
  int format;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rules->origin = g_strdup (origin);
  if (!json_parser_load_from_data (parser, data, length, &local))
    {
      g_set_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_PARSE,
                   "%s: not valid JSON: %s", origin, local->message);
      return NULL;
    }
  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      load_fail (&ld, NULL, "expected a JSON object at the top, got %s", _clmrs_json_node_kind (root_node));
      return NULL;
    }
  root = json_node_get_object (root_node);
  if (!check_keys (&ld, root, NULL, allowed))
    return NULL;
  if (!read_int (&ld, root, NULL, "format", 0, G_MAXINT, &format))
    return NULL;
  if (format != RULES_FORMAT)
    {
      load_fail (&ld, "format", "unsupported format %d (this build reads format %d)",
                 format, RULES_FORMAT);
      return NULL;
    }
  if (!read_string (&ld, root, NULL, "id", &rules->id))
    return NULL;
  if (!id_is_well_formed (rules->id))
    {
      load_fail (&ld, "id", "'%s' is not an id (lower-case letters, digits, _ and -)", rules->id);
      return NULL;
    }
  if (!read_string (&ld, root, NULL, "version", &rules->version)
      || !read_string (&ld, root, NULL, "label", &rules->label))
    return NULL;

  {
    JsonNode *sources = need (&ld, root, NULL, "sources");
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    JsonArray *array;

    if (sources == NULL)
      return NULL;
    if (!JSON_NODE_HOLDS_ARRAY (sources)
        || json_array_get_length (array = json_node_get_array (sources)) == 0)
      {
        load_fail (&ld, "sources", "expected a non-empty array of strings, got %s",
                   JSON_NODE_HOLDS_ARRAY (sources) ? "an empty array" : _clmrs_json_node_kind (sources));
        return NULL;
      }
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *element = json_array_get_element (array, i);
        if (!_clmrs_json_node_is_string (element) || *json_node_get_string (element) == '\0')
          {
            g_autofree char *path = g_strdup_printf ("sources[%u]", i);
            load_fail (&ld, path, "expected a non-empty string, got %s", _clmrs_json_node_kind (element));
            return NULL;
          }
        g_strv_builder_add (builder, json_node_get_string (element));
      }
    rules->sources = g_strv_builder_end (builder);
  }

  if (!load_parameters (&ld, root, rules)
      || !load_codes (&ld, root, rules)
      || !load_supports (&ld, root, rules))
    return NULL;
  return g_steal_pointer (&rules);
}

/**
 * clmrs_rule_set_load_file:
 * @path: a rule set JSON file
 *
 * Like clmrs_rule_set_load_data(), errors prefixed with @path; a file that
 * cannot be read gives CLMRS_RULES_ERROR_NOT_FOUND.
 */
ClmrsRuleSet *
clmrs_rule_set_load_file (const char  *path,
                          GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND,
                   "%s: cannot read the rule set: %s", path, local->message);
      return NULL;
    }
  return clmrs_rule_set_load_data (contents, (gssize) length, path, error);
}

/**
 * clmrs_rule_set_list_builtin:
 *
 * Returns: (transfer full): the names of the built-in rule sets ("ci", "gh",
 * "ilo"), sorted.
 */
GStrv
clmrs_rule_set_list_builtin (void)
{
  g_auto(GStrv) files = clmrs_assets_list ("rules");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; files[i] != NULL; i++)
    if (g_str_has_suffix (files[i], ".json"))
      {
        g_autofree char *name = g_strndup (files[i], strlen (files[i]) - 5);
        g_strv_builder_add (builder, name);
      }
  return g_strv_builder_end (builder);
}

/**
 * clmrs_rule_set_load_builtin:
 * @name: "ilo", "gh" or "ci"
 *
 * Loads an embedded rule set.  An unknown @name gives CLMRS_RULES_ERROR_NOT_FOUND
 * with the list of known names.
 */
ClmrsRuleSet *
clmrs_rule_set_load_builtin (const char  *name,
                             GError     **error)
{
  g_autofree char *relative = NULL;
  g_autofree char *origin = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (name != NULL, NULL);

  if (id_is_well_formed (name))
    {
      relative = g_strdup_printf ("rules/%s.json", name);
      bytes = clmrs_assets_lookup (relative, NULL);
    }
  if (bytes == NULL)
    {
      g_auto(GStrv) known = clmrs_rule_set_list_builtin ();
      g_autofree char *list = g_strjoinv (", ", known);
      g_set_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND,
                   "no built-in rule set '%s' (built in: %s)", name, list);
      return NULL;
    }
  origin = g_strdup_printf ("%s.json", name);
  data = g_bytes_get_data (bytes, &length);
  return clmrs_rule_set_load_data (data, (gssize) length, origin, error);
}

/* Returns: the rule set's `id` ("gh"), owned by @rules. */
const char *
clmrs_rule_set_get_id (const ClmrsRuleSet *rules)
{
  g_return_val_if_fail (rules != NULL, NULL);
  return rules->id;
}

/* Returns: the rule set's `version`, owned by @rules. */
const char *
clmrs_rule_set_get_version (const ClmrsRuleSet *rules)
{
  g_return_val_if_fail (rules != NULL, NULL);
  return rules->version;
}

/* Returns: the rule set's human `label`, owned by @rules. */
const char *
clmrs_rule_set_get_label (const ClmrsRuleSet *rules)
{
  g_return_val_if_fail (rules != NULL, NULL);
  return rules->label;
}

/* Returns: the task recall period that identifies (7d or 12m). */
ClmrsRecall
clmrs_rule_set_get_recall (const ClmrsRuleSet *rules)
{
  g_return_val_if_fail (rules != NULL, CLMRS_RECALL_NONE);
  return rules->recall;
}

static int
list_index (const char *list)
{
  for (int l = 0; l < N_LISTS; l++)
    if (g_str_equal (_clmrs_rules_list_names[l], list))
      return l;
  return -1;
}

/**
 * clmrs_rule_set_has_code:
 * @list: "tasks_hazardous", "tasks_light", "light_work_permitted",
 *   "hazard_conditions", "abuse" or "wfcl_signals"
 *
 * Returns: whether @code is in that list of @rules (shared codes when @rules
 * is %NULL).
 */
gboolean
clmrs_rule_set_has_code (const ClmrsRuleSet *rules,
                         const char         *list,
                         const char         *code)
{
  int l;

  g_return_val_if_fail (list != NULL && code != NULL, FALSE);

  if (g_str_equal (list, "light_work_permitted"))
    return rules != NULL ? g_hash_table_contains (rules->permitted, code)
                         : g_strv_contains (_clmrs_rules_shared_tasks_light, code);
  l = list_index (list);
  if (l < 0)
    return FALSE;
  if (rules == NULL)
    return g_strv_contains ((const char * const *) _clmrs_rules_shared_lists[l], code);
  return GPOINTER_TO_INT (g_hash_table_lookup (rules->codes, code)) == l + 1;
}
