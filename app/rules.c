/* rules.c: loads national rule sets, reads child profiles and classifies them. */
#define G_LOG_DOMAIN "clmrs-rules"

#include "rules.h"
#include "assets.h"

#include <gio/gio.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-rules-error-quark, clmrs_rules_error)

#define RULES_FORMAT      1
#define SCOPE_MIN_AGE     5
#define SCOPE_MAX_AGE     17
#define HOURS_IN_WEEK     168.0
#define MAX_PLAUSIBLE_AGE 130

/* ---------------------------------------------------------------------------
 * Shared codes (docs/rules-format.md, `codes`).  A rule set lists them all, in these lists,
 * and may add its own; it can never drop, move or rename one.
 * ------------------------------------------------------------------------- */

typedef enum {
  LIST_TASKS_HAZARDOUS,
  LIST_TASKS_LIGHT,
  LIST_HAZARD_CONDITIONS,
  LIST_ABUSE,
  LIST_WFCL_SIGNALS,
  N_LISTS
} CodeList;

static const char * const list_names[N_LISTS] = {
  "tasks_hazardous", "tasks_light", "hazard_conditions", "abuse", "wfcl_signals",
};

static const char * const list_nouns[N_LISTS] = {
  "hazardous task", "light task", "hazard condition", "abuse code", "worst-form signal",
};

static const char * const shared_tasks_hazardous[] = {
  "land_clearing", "tree_felling", "bush_burning", "agrochemical_application",
  "present_during_spraying", "machete_weeding", "pod_breaking_machete",
  "climbing_trees", "heavy_loads", "long_distance_carrying", "working_alone", NULL
};
static const char * const shared_tasks_light[] = {
  "planting", "picking_pods_within_reach", "gathering_pods", "fermenting_beans",
  "drying_beans", "filling_nursery_bags", "fetching_water", NULL
};
static const char * const shared_hazard_conditions[] = {
  "dust_fumes", "fire_gas_flames", "noise_vibration", "extreme_temperature",
  "dangerous_tools", "underground", "heights", "water", "dark_confined",
  "poor_ventilation", "chemicals", "explosives", "other_unsafe", NULL
};
static const char * const shared_abuse[] = {
  "shouted_at", "insulted", "beaten", "sexual_abuse", "other_abuse", NULL
};
static const char * const shared_wfcl_signals[] = {
  "trafficking", "forced_labour", "debt_bondage", "sexual_exploitation",
  "illicit_activities", "armed_recruitment", NULL
};

static const char * const * const shared_lists[N_LISTS] = {
  shared_tasks_hazardous, shared_tasks_light, shared_hazard_conditions,
  shared_abuse, shared_wfcl_signals,
};

static int
shared_list_of (const char *code)
{
  for (int l = 0; l < N_LISTS; l++)
    if (g_strv_contains ((const char * const *) shared_lists[l], code))
      return l;
  return -1;
}

/* Support types (docs/rules-format.md, `supports`) and their levels. */
static const struct {
  const char *code;
  const char *level;
} support_table[] = {
  { "awareness_targeted",  "child" },
  { "school_kit",          "child" },
  { "bicycle",             "child" },
  { "birth_certificate",   "child" },
  { "school_fees",         "child" },
  { "bridging_class",      "child" },
  { "vocational_training", "child" },
  { "health_insurance",    "child" },
  { "psychosocial",        "child" },
  { "medical",             "child" },
  { "school_meals",        "child" },
  { "tools_safe",          "household" },
  { "labour_support",      "household" },
  { "iga",                 "household" },
  { "vsla",                "household" },
  { "cash_transfer",       "household" },
  { "awareness_community", "community" },
  { "infrastructure",      "community" },
  { "referral",            "referral" },
  { "family_reunification", "referral" },
};

static const char * const support_codes[] = {
  "awareness_targeted", "school_kit", "bicycle", "birth_certificate", "school_fees",
  "bridging_class", "vocational_training", "health_insurance", "psychosocial", "medical",
  "school_meals", "tools_safe", "labour_support", "iga", "vsla", "cash_transfer",
  "awareness_community", "infrastructure", "referral", "family_reunification", NULL
};

/* Reason codes, in the order classification produces them. */
static const char * const reason_codes[] = {
  "age_out_of_scope",
  "wfcl_signal",
  "immediate_danger",
  "hazardous_task",
  "hazard_condition",
  "night_work",
  "abuse",
  "long_hours",
  "below_light_work_age",
  "light_work_hours",
  "light_work_task_not_permitted",
  "chores_hours",
  "hazardous_task_12m",
  "work_injury_12m",
  "hazardous_task_since_last_visit",
  "out_of_school",
  "no_birth_certificate",
  "permitted_work",
  "not_working",
  NULL
};

static const char * const status_names[] = {
  "out_of_scope", "worst_form", "hazardous_child_labour", "child_labour",
  "at_risk", "not_in_child_labour",
};

/* ---------------------------------------------------------------------------
 * The rule set
 * ------------------------------------------------------------------------- */

typedef struct {
  double   hours;
  gboolean strict;                /* TRUE: ">", FALSE: ">=" */
  int      min_age;
  int      max_age;
  gboolean enabled;
} Threshold;

typedef struct {
  GStrv  status;                  /* status names, or NULL: any */
  GStrv  reason;                  /* reason codes, or NULL: any */
  GStrv  item;                    /* codes, or NULL: any */
  int    min_age;                 /* -1: none */
  int    max_age;                 /* -1: none */
  int    in_school;               /* -1: either; 0 out of school; 1 in school */
  GStrv  suggest;
} SupportRule;

struct _ClmrsRuleSet {
  char       *id;
  char       *version;
  char       *label;
  char       *origin;
  GStrv       sources;

  int         min_age_light_work;
  int         min_age_employment;
  int         min_age_hazardous;
  Threshold   below_light_work_age;
  Threshold   light_work_hours;
  gboolean    light_work_list_only;
  Threshold   long_hours;
  Threshold   chores;
  gboolean    night_work_hazardous;
  char       *night_start;        /* "HH:MM" or NULL when the law gives none */
  char       *night_end;
  ClmrsRecall recall;
  Threshold   out_of_school_risk; /* only the ages are used */
  gboolean    no_birth_certificate_risk;

  GPtrArray  *lists[N_LISTS];     /* of char*, in file order */
  GHashTable *codes;              /* code -> list index + 1 */
  GHashTable *permitted;          /* light_work_permitted, a set */
  GHashTable *permitted_from;     /* tasks_permitted_from: hazardous task -> age */
  GHashTable *provisional;        /* "list/code" -> the note saying why it is provisional */
  GPtrArray  *supports;           /* of SupportRule* */
};

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

static const char *
node_kind (JsonNode *node)
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

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* An integer, or a number with no fraction (within +-2^53). */
static gboolean
node_get_int64 (JsonNode *node,
                gint64   *out)
{
  double value;

  if (!node_is_number (node))
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

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_bool (JsonNode *node)
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
  if (!node_get_int64 (node, &value))
    return load_fail (ld, path, "expected an integer, got %s", node_kind (node));
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
  if (!node_is_bool (node))
    return load_fail (ld, path, "expected a boolean, got %s", node_kind (node));
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
  if (!node_is_string (node))
    return load_fail (ld, path, "expected a string, got %s", node_kind (node));
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
                 nullable ? " or null" : "", node_kind (node));
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
      load_fail (ld, path, "expected an array of strings, got %s", node_kind (node));
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

      if (!node_is_string (element))
        {
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);
          load_fail (ld, epath, "expected a string, got %s", node_kind (element));
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
  if (!node_is_number (hours))
    {
      g_autofree char *hpath = join_path (path, "hours");
      return load_fail (ld, hpath, "expected a number, got %s", node_kind (hours));
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
static gboolean is_list    (const ClmrsRuleSet *rules,
                            const char         *code,
                            CodeList            list);

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

      if (!is_list (rules, task, LIST_TASKS_HAZARDOUS))
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
            known = is_list (rules, code, LIST_TASKS_LIGHT);
          else if (g_str_equal (list, "tasks_permitted_from"))
            known = g_hash_table_contains (rules->permitted_from, code);
          else
            known = is_list (rules, code, list_index (list));
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
      g_auto(GStrv) list = read_codes (ld, codes, "codes", list_names[l], FALSE);
      g_autofree char *path = g_strconcat ("codes.", list_names[l], NULL);

      if (list == NULL)
        return FALSE;
      rules->lists[l] = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; list[i] != NULL; i++)
        {
          int shared = shared_list_of (list[i]);
          gpointer other = g_hash_table_lookup (rules->codes, list[i]);
          g_autofree char *epath = g_strdup_printf ("%s[%u]", path, i);

          if (shared >= 0 && shared != l)
            return load_fail (ld, epath, "'%s' is a shared %s and cannot be listed as a %s",
                              list[i], list_nouns[shared], list_nouns[l]);
          if (other != NULL)
            return load_fail (ld, epath, "'%s' is already listed in codes.%s",
                              list[i], list_names[GPOINTER_TO_INT (other) - 1]);
          g_hash_table_insert (rules->codes, g_strdup (list[i]), GINT_TO_POINTER (l + 1));
          g_ptr_array_add (rules->lists[l], g_strdup (list[i]));
        }
      for (guint i = 0; shared_lists[l][i] != NULL; i++)
        if (!g_strv_contains ((const char * const *) list, shared_lists[l][i]))
          return load_fail (ld, path, "shared code '%s' is missing (a rule set may add "
                            "codes, never drop or rename the shared ones)",
                            shared_lists[l][i]);
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
                          list_nouns[GPOINTER_TO_INT (list) - 1]);
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
    return load_fail (ld, "supports", "expected an array, got %s", node_kind (node));
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
        return load_fail (ld, path, "expected an object, got %s", node_kind (element));
      entry = json_node_get_object (element);
      if (!check_keys (ld, entry, path, entry_allowed))
        return FALSE;
      note = json_object_get_member (entry, "note");
      if (note != NULL && !node_is_string (note))
        {
          g_autofree char *npath = join_path (path, "note");
          return load_fail (ld, npath, "expected a string, got %s", node_kind (note));
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
              return load_fail (ld, ipath, "expected true or false, got %s", node_kind (flag));
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
            if (!g_strv_contains (reason_codes, rule->reason[s]))
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
      load_fail (&ld, NULL, "expected a JSON object at the top, got %s", node_kind (root_node));
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
                   JSON_NODE_HOLDS_ARRAY (sources) ? "an empty array" : node_kind (sources));
        return NULL;
      }
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonNode *element = json_array_get_element (array, i);
        if (!node_is_string (element) || *json_node_get_string (element) == '\0')
          {
            g_autofree char *path = g_strdup_printf ("sources[%u]", i);
            load_fail (&ld, path, "expected a non-empty string, got %s", node_kind (element));
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
    if (g_str_equal (list_names[l], list))
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
                         : g_strv_contains (shared_tasks_light, code);
  l = list_index (list);
  if (l < 0)
    return FALSE;
  if (rules == NULL)
    return g_strv_contains ((const char * const *) shared_lists[l], code);
  return GPOINTER_TO_INT (g_hash_table_lookup (rules->codes, code)) == l + 1;
}

/* ---------------------------------------------------------------------------
 * Profiles
 * ------------------------------------------------------------------------- */

/**
 * clmrs_profile_free:
 * Frees @profile; %NULL is ignored.
 */
void
clmrs_profile_free (ClmrsProfile *profile)
{
  if (profile == NULL)
    return;
  g_free (profile->sex);
  g_strfreev (profile->tasks_7d);
  g_strfreev (profile->tasks_12m);
  g_strfreev (profile->tasks_since_last);
  g_strfreev (profile->hazard_conditions);
  g_strfreev (profile->abuse);
  g_strfreev (profile->wfcl_signals);
  g_free (profile->birth_certificate);
  g_free (profile->abuse_recall);
  g_free (profile->work_injury_12m);
  g_free (profile);
}

typedef struct {
  JsonObject  *object;
  char       **field;
  GError     **error;
} ProfileReader;

static gboolean profile_fail (ProfileReader *pr,
                              const char    *field,
                              const char    *format,
                              ...) G_GNUC_PRINTF (3, 4);

static gboolean
profile_fail (ProfileReader *pr,
              const char    *field,
              const char    *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (pr->error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_PROFILE,
               "%s: %s", field, message);
  if (pr->field != NULL)
    *pr->field = g_strdup (field);
  return FALSE;
}

static JsonNode *
profile_need (ProfileReader *pr,
              const char    *field)
{
  JsonNode *node = json_object_get_member (pr->object, field);

  if (node == NULL)
    profile_fail (pr, field, "missing (required for a child aged 5-17)");
  return node;
}

static gboolean
profile_bool (ProfileReader *pr,
              const char    *field,
              gboolean      *out)
{
  JsonNode *node = profile_need (pr, field);

  if (node == NULL)
    return FALSE;
  if (!node_is_bool (node))
    return profile_fail (pr, field, "expected a boolean, got %s", node_kind (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
profile_hours (ProfileReader *pr,
               const char    *field,
               double        *out)
{
  JsonNode *node = profile_need (pr, field);

  if (node == NULL)
    return FALSE;
  if (!node_is_number (node))
    return profile_fail (pr, field, "expected a number, got %s", node_kind (node));
  *out = json_node_get_double (node);
  if (*out < 0)
    return profile_fail (pr, field, "negative hours (%g)", *out);
  if (*out > HOURS_IN_WEEK)
    return profile_fail (pr, field, "%g h is more than the 168 h in a week", *out);
  return TRUE;
}

/* An array of codes, each in one of @lists (of @rules, or the shared ones). */
static gboolean
profile_codes (ProfileReader      *pr,
               const ClmrsRuleSet *rules,
               const char         *field,
               CodeList            first,
               CodeList            last,
               GStrv              *out)
{
  JsonNode *node = profile_need (pr, field);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return profile_fail (pr, field, "expected an array of codes, got %s", node_kind (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *code;
      gboolean known = FALSE;

      if (!node_is_string (element))
        return profile_fail (pr, field, "item %u: expected a code (string), got %s",
                             i, node_kind (element));
      code = json_node_get_string (element);
      for (int l = first; l <= (int) last && !known; l++)
        known = clmrs_rule_set_has_code (rules, list_names[l], code);
      if (!known)
        {
          g_autofree char *shown = g_utf8_make_valid (code, MIN (strlen (code), 64));
          return profile_fail (pr, field, "unknown code '%s'%s%s", shown,
                               rules != NULL ? " in rule set " : "",
                               rules != NULL ? rules->id : "");
        }
      if (g_hash_table_contains (seen, code))
        continue;                 /* a repeated answer says nothing more */
      g_hash_table_add (seen, (gpointer) code);
      g_strv_builder_add (builder, code);
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
clmrs_age_in_scope (int age)
{
  return age >= SCOPE_MIN_AGE && age <= SCOPE_MAX_AGE;
}

/**
 * clmrs_profile_from_json_full:
 * @object: a child profile (docs/rules-format.md, "The child profile")
 * @rules: (nullable): the rule set whose codes are accepted; %NULL: the
 *   shared codes only
 * @error_field: (out) (optional): on failure, the name of the field at fault
 *   (%NULL when the object as a whole is wrong)
 *
 * Reads every field strictly: a missing or ill-typed field, an unknown code,
 * hours outside 0-168 fail with a message that starts with the field's name.
 * A child whose age is outside 5-17 is out of scope and needs no other field.
 * Members not in the profile contract are ignored.
 */
ClmrsProfile *
clmrs_profile_from_json_full (JsonObject          *object,
                              const ClmrsRuleSet  *rules,
                              char               **error_field,
                              GError             **error)
{
  ProfileReader pr = { object, error_field, error };
  g_autoptr(ClmrsProfile) profile = g_new0 (ClmrsProfile, 1);
  JsonNode *node;
  const char *sex;
  gint64 age;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (error_field != NULL)
    *error_field = NULL;

  node = profile_need (&pr, "age");
  if (node == NULL)
    return NULL;
  if (!node_get_int64 (node, &age))
    {
      profile_fail (&pr, "age", "expected an integer, got %s", node_kind (node));
      return NULL;
    }
  if (age < 0)
    {
      profile_fail (&pr, "age", "negative age (%" G_GINT64_FORMAT ")", age);
      return NULL;
    }
  if (age > MAX_PLAUSIBLE_AGE)
    {
      profile_fail (&pr, "age", "%" G_GINT64_FORMAT " is not a plausible age (over %d)",
                    age, MAX_PLAUSIBLE_AGE);
      return NULL;
    }
  profile->age = (int) age;
  profile->in_scope = clmrs_age_in_scope (profile->age);
  if (!profile->in_scope)
    return g_steal_pointer (&profile);

  node = profile_need (&pr, "sex");
  if (node == NULL)
    return NULL;
  if (!node_is_string (node))
    {
      profile_fail (&pr, "sex", "expected \"male\" or \"female\", got %s", node_kind (node));
      return NULL;
    }
  sex = json_node_get_string (node);
  if (!g_str_equal (sex, "male") && !g_str_equal (sex, "female"))
    {
      profile_fail (&pr, "sex", "expected \"male\" or \"female\", got another string");
      return NULL;
    }
  profile->sex = g_strdup (sex);

  if (!profile_bool (&pr, "in_school", &profile->in_school)
      || !profile_hours (&pr, "econ_hours_7d", &profile->econ_hours_7d)
      || !profile_hours (&pr, "chores_hours_7d", &profile->chores_hours_7d)
      || !profile_bool (&pr, "night_work_7d", &profile->night_work_7d)
      || !profile_codes (&pr, rules, "tasks_7d", LIST_TASKS_HAZARDOUS, LIST_TASKS_LIGHT,
                         &profile->tasks_7d)
      || !profile_codes (&pr, rules, "tasks_12m", LIST_TASKS_HAZARDOUS, LIST_TASKS_LIGHT,
                         &profile->tasks_12m)
      || !profile_codes (&pr, rules, "hazard_conditions", LIST_HAZARD_CONDITIONS,
                         LIST_HAZARD_CONDITIONS, &profile->hazard_conditions)
      || !profile_codes (&pr, rules, "abuse", LIST_ABUSE, LIST_ABUSE, &profile->abuse)
      || !profile_codes (&pr, rules, "wfcl_signals", LIST_WFCL_SIGNALS, LIST_WFCL_SIGNALS,
                         &profile->wfcl_signals)
      || !profile_bool (&pr, "immediate_danger", &profile->immediate_danger))
    return NULL;

  if (profile->econ_hours_7d + profile->chores_hours_7d > HOURS_IN_WEEK)
    {
      profile_fail (&pr, "chores_hours_7d", "economic work and chores add up to %g h, "
                    "more than the 168 h in a week",
                    profile->econ_hours_7d + profile->chores_hours_7d);
      return NULL;
    }

  /* the follow-up's since-last-visit recall (case rules: exit rests on it) */
  node = json_object_get_member (object, "tasks_since_last");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
      !profile_codes (&pr, rules, "tasks_since_last", LIST_TASKS_HAZARDOUS, LIST_TASKS_LIGHT,
                      &profile->tasks_since_last))
    return NULL;

  node = json_object_get_member (object, "birth_certificate");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      const char *value;

      if (!node_is_string (node))
        {
          profile_fail (&pr, "birth_certificate", "expected \"yes\", \"no\" or \"in_process\", "
                        "got %s", node_kind (node));
          return NULL;
        }
      value = json_node_get_string (node);
      if (!g_str_equal (value, "yes") && !g_str_equal (value, "no")
          && !g_str_equal (value, "in_process"))
        {
          profile_fail (&pr, "birth_certificate", "expected \"yes\", \"no\" or \"in_process\", "
                        "got another string");
          return NULL;
        }
      profile->birth_certificate = g_strdup (value);
    }

  node = json_object_get_member (object, "abuse_recall");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!node_is_string (node)
          || (!g_str_equal (json_node_get_string (node), "12m")
              && !g_str_equal (json_node_get_string (node), "since_last_visit")))
        {
          profile_fail (&pr, "abuse_recall", "expected \"12m\" or \"since_last_visit\", got %s",
                        node_is_string (node) ? "another string" : node_kind (node));
          return NULL;
        }
      profile->abuse_recall = g_strdup (json_node_get_string (node));
    }

  node = json_object_get_member (object, "work_injury_12m");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      static const char * const severities[] = {
        "none", "not_serious", "stopped_short", "stopped_completely", NULL
      };

      if (!node_is_string (node) || !g_strv_contains (severities, json_node_get_string (node)))
        {
          profile_fail (&pr, "work_injury_12m", "expected \"none\", \"not_serious\", "
                        "\"stopped_short\" or \"stopped_completely\", got %s",
                        node_is_string (node) ? "another string" : node_kind (node));
          return NULL;
        }
      profile->work_injury_12m = g_strdup (json_node_get_string (node));
    }
  return g_steal_pointer (&profile);
}

/**
 * clmrs_profile_from_json:
 *
 * clmrs_profile_from_json_full() against the shared codes only.
 */
ClmrsProfile *
clmrs_profile_from_json (JsonObject  *object,
                         GError     **error)
{
  return clmrs_profile_from_json_full (object, NULL, NULL, error);
}

/* ---------------------------------------------------------------------------
 * Classification
 * ------------------------------------------------------------------------- */

/* Returns: the status' code ("child_labour"), static. */
const char *
clmrs_status_to_string (ClmrsStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), NULL);
  return status_names[status];
}

/**
 * clmrs_status_from_string:
 * Returns: TRUE and sets @out when @text is a status name.
 */
gboolean
clmrs_status_from_string (const char  *text,
                          ClmrsStatus *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (status_names[i], text))
      {
        if (out != NULL)
          *out = (ClmrsStatus) i;
        return TRUE;
      }
  return FALSE;
}

/**
 * clmrs_status_is_child_labour:
 * Returns: TRUE for worst_form, hazardous_child_labour and child_labour.
 */
gboolean
clmrs_status_is_child_labour (ClmrsStatus status)
{
  return status == CLMRS_STATUS_WORST_FORM
         || status == CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR
         || status == CLMRS_STATUS_CHILD_LABOUR;
}

/* Returns: "7d", "12m", or %NULL for CLMRS_RECALL_NONE; static. */
const char *
clmrs_recall_to_string (ClmrsRecall recall)
{
  switch (recall)
    {
    case CLMRS_RECALL_7D:
      return "7d";
    case CLMRS_RECALL_12M:
      return "12m";
    case CLMRS_RECALL_NONE:
    default:
      return NULL;
    }
}

/**
 * clmrs_reason_codes:
 * Returns: (transfer none): every reason code, %NULL-terminated.
 */
const char * const *
clmrs_reason_codes (void)
{
  return reason_codes;
}

static void
reason_free (ClmrsReason *reason)
{
  g_free (reason->code);
  g_free (reason->detail);
  g_free (reason->item);
  g_free (reason);
}

/* Frees @classification and its reasons; %NULL is ignored. */
void
clmrs_classification_free (ClmrsClassification *classification)
{
  if (classification == NULL)
    return;
  g_clear_pointer (&classification->reasons, g_ptr_array_unref);
  g_free (classification->rules);
  g_free (classification);
}

/* A reason found while classifying, with the tier it belongs to. */
typedef struct {
  ClmrsStatus  tier;
  ClmrsRecall  recall;            /* NONE when the answer has no recall period */
  ClmrsReason *reason;
} Found;

typedef struct {
  const ClmrsRuleSet *rules;
  const ClmrsProfile *profile;
  GArray             *found;      /* of Found */
  GPtrArray          *permitted;  /* hazardous tasks of the last 7 days permitted at this age */
} Classifier;

/* The note of the provisional entry @code of @list, or NULL. */
static const char *
provisional_note (const ClmrsRuleSet *rules,
                  const char         *list,
                  const char         *code)
{
  g_autofree char *key = NULL;

  if (code == NULL)
    return NULL;
  key = g_strconcat (list, "/", code, NULL);
  return g_hash_table_lookup (rules->provisional, key);
}

/* "...; provisional: NOTE (gh)": a detail says when it rests on a provisional entry. */
static char *
finish_detail (const ClmrsRuleSet *rules,
               const char         *text,
               const char         *provisional)
{
  if (provisional != NULL)
    return g_strdup_printf ("%s; provisional: %s (%s)", text, provisional, rules->id);
  return g_strdup_printf ("%s (%s)", text, rules->id);
}

static void add (Classifier  *cl,
                 ClmrsStatus  tier,
                 ClmrsRecall  recall,
                 const char  *code,
                 const char  *item,
                 const char  *provisional,
                 const char  *format,
                 ...) G_GNUC_PRINTF (7, 8);

/* @provisional: the note of the provisional entry the reason rests on, or NULL. */
static void
add (Classifier  *cl,
     ClmrsStatus  tier,
     ClmrsRecall  recall,
     const char  *code,
     const char  *item,
     const char  *provisional,
     const char  *format,
     ...)
{
  va_list args;
  g_autofree char *text = NULL;
  Found found = { tier, recall, g_new0 (ClmrsReason, 1) };

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  found.reason->code = g_strdup (code);
  found.reason->item = g_strdup (item);
  found.reason->provisional = provisional != NULL;
  found.reason->detail = finish_detail (cl->rules, text, provisional);
  g_array_append_val (cl->found, found);
}

static gboolean
over (const Threshold *t,
      double           hours)
{
  return t->strict ? hours > t->hours : hours >= t->hours;
}

/* "43 h or more" / "more than 14 h", locale-independent. */
static char *
describe_threshold (const Threshold *t)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%g", t->hours);
  return t->strict ? g_strdup_printf ("more than %s h", number)
                   : g_strdup_printf ("%s h or more", number);
}

static char *
format_hours (double hours)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%g", hours);
  return g_strdup (number);
}

static char *
describe_ages (int from,
               int to)
{
  return from == to ? g_strdup_printf ("%d", from) : g_strdup_printf ("%d-%d", from, to);
}

/* "land_clearing" -> "land clearing" */
static char *
readable (const char *code)
{
  char *text = g_strdup (code);

  g_strdelimit (text, "_", ' ');
  return text;
}

static gboolean
is_list (const ClmrsRuleSet *rules,
         const char         *code,
         CodeList            list)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (rules->codes, code)) == (int) list + 1;
}

static void
classify_tasks (Classifier *cl)
{
  const ClmrsRuleSet *r = cl->rules;
  const ClmrsProfile *p = cl->profile;
  int age = p->age;
  gboolean hazardous_age = age < r->min_age_hazardous;
  gboolean light_band = age >= r->min_age_light_work && age < r->min_age_employment;
  g_autofree char *band = describe_ages (r->min_age_light_work, r->min_age_employment - 1);

  for (int period = 0; period < 2; period++)
    {
      GStrv tasks = period == 0 ? p->tasks_7d : p->tasks_12m;
      ClmrsRecall recall = period == 0 ? CLMRS_RECALL_7D : CLMRS_RECALL_12M;
      const char *when = period == 0 ? "in the last 7 days" : "in the last 12 months";
      gboolean identifies = period == 0 || r->recall == CLMRS_RECALL_12M;

      for (guint i = 0; tasks[i] != NULL; i++)
        {
          const char *task = tasks[i];
          g_autofree char *name = readable (task);

          gpointer from_ptr = g_hash_table_lookup (r->permitted_from, task);
          int from = from_ptr != NULL ? GPOINTER_TO_INT (from_ptr) : r->min_age_hazardous;

          /* A task seen in the last 7 days is also in the last 12 months. */
          if (period == 1 && g_strv_contains ((const char * const *) p->tasks_7d, task))
            continue;

          if (is_list (r, task, LIST_TASKS_HAZARDOUS) && hazardous_age && age < from)
            {
              const char *note = provisional_note (r, "tasks_hazardous", task);

              if (identifies)
                add (cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, recall, "hazardous_task", task, note,
                     "%s %s at age %d: a hazardous task, prohibited under %d",
                     name, when, age, from);
              else
                add (cl, CLMRS_STATUS_AT_RISK, recall, "hazardous_task_12m", task, note,
                     "%s in the last 12 months but not in the last 7 days at age %d: "
                     "a hazardous task, a risk of hazardous child labour",
                     name, age);
            }
          else if (is_list (r, task, LIST_TASKS_HAZARDOUS) && hazardous_age)
            {
              /* permitted from this age: ordinary work, said in the permitted_work reason */
              if (period == 0)
                g_ptr_array_add (cl->permitted, (gpointer) task);
            }
          else if (identifies && light_band && r->light_work_list_only
                   && is_list (r, task, LIST_TASKS_LIGHT)
                   && !g_hash_table_contains (r->permitted, task))
            add (cl, CLMRS_STATUS_CHILD_LABOUR, recall, "light_work_task_not_permitted", task,
                 provisional_note (r, "light_work_permitted", task),
                 "%s %s at age %d: not on the permitted light-work list for ages %s",
                 name, when, age, band);
        }
    }
}

/* A follow-up's recall since the previous visit: a hazardous task in it
 * that the last 7 days do not already show is a risk reason of its own,
 * which the case rules read (the child was not out of child labour over
 * the period: docs/cases-and-indicators.md). */
static void
classify_since_last_visit (Classifier *cl)
{
  const ClmrsRuleSet *r = cl->rules;
  const ClmrsProfile *p = cl->profile;

  if (p->tasks_since_last == NULL || p->age >= r->min_age_hazardous)
    return;
  for (guint i = 0; p->tasks_since_last[i] != NULL; i++)
    {
      const char *task = p->tasks_since_last[i];
      gpointer from_ptr = g_hash_table_lookup (r->permitted_from, task);
      int from = from_ptr != NULL ? GPOINTER_TO_INT (from_ptr) : r->min_age_hazardous;
      g_autofree char *name = NULL;

      /* a task permitted from an age (codes.tasks_permitted_from) is not
       * hazardous from that age on, as in the 7-day and 12-month recalls */
      if (!is_list (r, task, LIST_TASKS_HAZARDOUS) || p->age >= from ||
          g_strv_contains ((const char * const *) p->tasks_7d, task))
        continue;
      name = readable (task);
      add (cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "hazardous_task_since_last_visit", task,
           provisional_note (r, "tasks_hazardous", task),
           "%s since the last visit at age %d: a hazardous task, so not out of child labour "
           "over the period", name, p->age);
    }
}

/**
 * clmrs_classify:
 * @rules: a rule set
 * @profile: a profile read by clmrs_profile_from_json_full()
 *
 * Applies the decision order of docs/rules-format.md.  Every condition that
 * matched is a reason, most serious first; the status is the tier of the
 * first.  Returns: (transfer full): the classification, never %NULL.
 */
ClmrsClassification *
clmrs_classify (const ClmrsRuleSet *rules,
                const ClmrsProfile *profile)
{
  g_autoptr(ClmrsClassification) result = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Found));
  g_autoptr(GPtrArray) permitted = g_ptr_array_new ();
  Classifier cl = { rules, profile, found, permitted };
  const ClmrsRuleSet *r = rules;
  const ClmrsProfile *p = profile;
  int age;
  g_autofree char *econ = NULL;
  ClmrsStatus status = CLMRS_STATUS_NOT_IN_CHILD_LABOUR;
  ClmrsRecall recall = CLMRS_RECALL_NONE;

  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  age = p->age;
  result = g_new0 (ClmrsClassification, 1);
  result->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) reason_free);
  result->rules = g_strdup_printf ("%s@%s", r->id, r->version);

  /* Row 0: scope. */
  if (!p->in_scope)
    {
      ClmrsReason *reason = g_new0 (ClmrsReason, 1);

      reason->code = g_strdup ("age_out_of_scope");
      reason->detail = g_strdup_printf ("age %d: outside the %d-%d scope of child labour (%s)",
                                        age, SCOPE_MIN_AGE, SCOPE_MAX_AGE, r->id);
      g_ptr_array_add (result->reasons, reason);
      result->status = CLMRS_STATUS_OUT_OF_SCOPE;
      result->recall = CLMRS_RECALL_NONE;
      return g_steal_pointer (&result);
    }

  econ = format_hours (p->econ_hours_7d);

  /* Row 1: worst forms other than hazardous work (C182 Art. 3 a-c). */
  for (guint i = 0; p->wfcl_signals[i] != NULL; i++)
    {
      g_autofree char *name = readable (p->wfcl_signals[i]);
      add (&cl, CLMRS_STATUS_WORST_FORM, CLMRS_RECALL_NONE, "wfcl_signal", p->wfcl_signals[i],
           provisional_note (r, "wfcl_signals", p->wfcl_signals[i]),
           "worst-form signal: %s: a worst form of child labour (ILO C182 Art. 3); "
           "refer to child protection at once", name);
    }

  /* Row 2: hazardous child labour. */
  if (p->immediate_danger)
    add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_NONE, "immediate_danger", NULL, NULL,
         "the facilitator found the child in immediate danger: counted as hazardous child "
         "labour and referred at once");
  classify_tasks (&cl);
  classify_since_last_visit (&cl);
  if (age < r->min_age_hazardous)
    {
      for (guint i = 0; p->hazard_conditions[i] != NULL; i++)
        {
          g_autofree char *name = readable (p->hazard_conditions[i]);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_NONE, "hazard_condition",
               p->hazard_conditions[i],
               provisional_note (r, "hazard_conditions", p->hazard_conditions[i]),
               "exposed to %s at work at age %d: a hazardous condition, prohibited under %d",
               name, age, r->min_age_hazardous);
        }
      if (p->night_work_7d && r->night_work_hazardous)
        {
          g_autofree char *window = r->night_start != NULL
            ? g_strdup_printf (" (%s-%s)", r->night_start, r->night_end) : g_strdup ("");
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_7D, "night_work", NULL, NULL,
               "night work%s in the last 7 days at age %d: prohibited under %d",
               window, age, r->min_age_hazardous);
        }
      /* Abuse is asked over a period the profile states (docs/rules-format.md):
       * the last 12 months at identification, since the last visit at a
       * follow-up, so an old incident is not reported again and again. */
      gboolean since_last = g_strcmp0 (p->abuse_recall, "since_last_visit") == 0;
      for (guint i = 0; p->abuse[i] != NULL; i++)
        {
          g_autofree char *name = readable (p->abuse[i]);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR,
               since_last ? CLMRS_RECALL_NONE : CLMRS_RECALL_12M, "abuse", p->abuse[i],
               provisional_note (r, "abuse", p->abuse[i]),
               "abuse at work (%s) %s at age %d: work that exposes a child to abuse is hazardous",
               name, since_last ? "since the last visit" : "in the last 12 months", age);
        }
      if (age >= r->long_hours.min_age && over (&r->long_hours, p->econ_hours_7d))
        {
          g_autofree char *limit = describe_threshold (&r->long_hours);
          g_autofree char *band = describe_ages (r->long_hours.min_age, SCOPE_MAX_AGE);
          add (&cl, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, CLMRS_RECALL_7D, "long_hours", NULL, NULL,
               "%s h of economic work in the last 7 days at age %d: %s a week at %s is "
               "hazardous (long hours)", econ, age, limit, band);
        }
    }

  /* Row 3: work below the light-work age. */
  if (age < r->min_age_light_work && over (&r->below_light_work_age, p->econ_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->below_light_work_age);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "below_light_work_age", NULL, NULL,
           "%s h of economic work in the last 7 days at age %d: any work of %s under %d "
           "is child labour", econ, age, limit, r->min_age_light_work);
    }

  /* Row 4: the light-work band, over the hour cap (tasks off the permitted
   * list were found with the tasks above). */
  if (age >= r->min_age_light_work && age < r->min_age_employment
      && over (&r->light_work_hours, p->econ_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->light_work_hours);
      g_autofree char *band = describe_ages (r->min_age_light_work, r->min_age_employment - 1);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "light_work_hours", NULL, NULL,
           "%s h of economic work in the last 7 days at age %d: %s a week at %s is more "
           "than light work", econ, age, limit, band);
    }

  /* Row 5: household chores (general production boundary). */
  if (r->chores.enabled && age >= r->chores.min_age && age <= r->chores.max_age
      && over (&r->chores, p->chores_hours_7d))
    {
      g_autofree char *limit = describe_threshold (&r->chores);
      g_autofree char *band = describe_ages (r->chores.min_age, r->chores.max_age);
      g_autofree char *chores = format_hours (p->chores_hours_7d);
      add (&cl, CLMRS_STATUS_CHILD_LABOUR, CLMRS_RECALL_7D, "chores_hours", NULL, NULL,
           "%s h of household chores in the last 7 days at age %d: %s a week at %s is "
           "child labour (hazardous unpaid household services)", chores, age, limit, band);
    }

  /* Row 8: risk factors (hazardous tasks only in the 12-month recall were
   * found with the tasks above).  An injury or illness from work in the
   * last 12 months is evidence the work was hazardous, but of a year and
   * of no task: a risk, as a hazardous task seen only in 12 months. */
  if (age < r->min_age_hazardous && p->work_injury_12m != NULL
      && !g_str_equal (p->work_injury_12m, "none"))
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_12M, "work_injury_12m", NULL, NULL,
         "hurt or sick because of work in the last 12 months (%s) at age %d: "
         "a sign of hazardous work, a risk of hazardous child labour",
         g_str_equal (p->work_injury_12m, "not_serious") ? "did not stop work or school"
         : g_str_equal (p->work_injury_12m, "stopped_short") ? "stopped work or school for a short time"
         : "stopped work or school completely", age);
  if (r->out_of_school_risk.enabled && !p->in_school
      && age >= r->out_of_school_risk.min_age && age <= r->out_of_school_risk.max_age)
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "out_of_school", NULL, NULL,
         "not in school at age %d: a risk factor", age);
  if (r->no_birth_certificate_risk && p->birth_certificate != NULL
      && g_str_equal (p->birth_certificate, "no"))
    add (&cl, CLMRS_STATUS_AT_RISK, CLMRS_RECALL_NONE, "no_birth_certificate", NULL, NULL,
         "no birth certificate: a risk factor (needed for school enrolment and exams)");

  /* The status is the most serious tier found; reasons are sorted by tier,
   * stable within it. */
  for (guint i = 0; i < found->len; i++)
    status = MIN (status, g_array_index (found, Found, i).tier);
  /* The result is provisional when every reason of its tier is. */
  result->provisional = status != CLMRS_STATUS_NOT_IN_CHILD_LABOUR;
  for (ClmrsStatus tier = CLMRS_STATUS_WORST_FORM; tier <= CLMRS_STATUS_AT_RISK; tier++)
    for (guint i = 0; i < found->len; i++)
      {
        Found *f = &g_array_index (found, Found, i);
        if (f->tier != tier)
          continue;
        if (tier == status)
          result->provisional &= f->reason->provisional;
        g_ptr_array_add (result->reasons, f->reason);
        f->reason = NULL;
        if (tier == status && f->recall != CLMRS_RECALL_NONE
            && (recall == CLMRS_RECALL_NONE || f->recall < recall))
          recall = f->recall;
      }

  /* Rows 6-7: nothing matched. */
  if (status == CLMRS_STATUS_NOT_IN_CHILD_LABOUR)
    {
      gboolean working = p->econ_hours_7d > 0 || p->tasks_7d[0] != NULL;
      ClmrsReason *reason = g_new0 (ClmrsReason, 1);
      g_autoptr(GString) text = g_string_new (NULL);
      const char *note = NULL;

      if (working)
        g_string_printf (text, "%s h of economic work in the last 7 days at age %d, within the "
                         "limits for the age", econ, age);
      else
        g_string_printf (text, "no economic work in the last 7 days and no other condition");
      /* A hazardous task permitted from the child's age is said, since the
       * result rests on that permission. */
      for (guint i = 0; i < permitted->len; i++)
        {
          const char *task = g_ptr_array_index (permitted, i);
          g_autofree char *name = readable (task);

          g_string_append_printf (text, "; %s is permitted from %d", name,
                                  GPOINTER_TO_INT (g_hash_table_lookup (r->permitted_from, task)));
          if (provisional_note (r, "tasks_permitted_from", task) != NULL)
            note = provisional_note (r, "tasks_permitted_from", task);
        }
      reason->code = g_strdup (working ? "permitted_work" : "not_working");
      reason->provisional = note != NULL;
      reason->detail = finish_detail (r, text->str, note);
      result->provisional = reason->provisional;
      g_ptr_array_add (result->reasons, reason);
    }

  result->status = status;
  result->recall = recall != CLMRS_RECALL_NONE ? recall : r->recall;
  return g_steal_pointer (&result);
}

/**
 * clmrs_classification_has_reason:
 * @item: (nullable): also require this item; %NULL: any
 *
 * Returns: whether @classification carries a reason @code (about @item).
 */
gboolean
clmrs_classification_has_reason (const ClmrsClassification *classification,
                                 const char                *code,
                                 const char                *item)
{
  g_return_val_if_fail (classification != NULL && code != NULL, FALSE);

  for (guint i = 0; i < classification->reasons->len; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      if (g_str_equal (reason->code, code)
          && (item == NULL || g_strcmp0 (reason->item, item) == 0))
        return TRUE;
    }
  return FALSE;
}

/**
 * clmrs_classification_to_json:
 *
 * Returns: (transfer full): `{"status", "reasons": [{"code", "detail"[, "item"][, "provisional"]}],
 * "rules", "recall"[, "provisional"]}`; recall is "7d", "12m" or null (out of scope);
 * "provisional" (true) only when the status rests on provisional entries alone.
 */
JsonNode *
clmrs_classification_to_json (const ClmrsClassification *classification)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *recall;

  g_return_val_if_fail (classification != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, clmrs_status_to_string (classification->status));
  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < classification->reasons->len; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, reason->code);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, reason->detail);
      if (reason->item != NULL)
        {
          json_builder_set_member_name (builder, "item");
          json_builder_add_string_value (builder, reason->item);
        }
      if (reason->provisional)
        {
          json_builder_set_member_name (builder, "provisional");
          json_builder_add_boolean_value (builder, TRUE);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "rules");
  json_builder_add_string_value (builder, classification->rules);
  json_builder_set_member_name (builder, "recall");
  recall = clmrs_recall_to_string (classification->recall);
  if (recall != NULL)
    json_builder_add_string_value (builder, recall);
  else
    json_builder_add_null_value (builder);
  if (classification->provisional)
    {
      json_builder_set_member_name (builder, "provisional");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------------------
 * Support
 * ------------------------------------------------------------------------- */

/**
 * clmrs_support_type_level:
 * Returns: "child", "household", "community" or "referral" for a support
 * type code, %NULL for an unknown one.
 */
const char *
clmrs_support_type_level (const char *code)
{
  if (code == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (support_table); i++)
    if (g_str_equal (support_table[i].code, code))
      return support_table[i].level;
  return NULL;
}

/**
 * clmrs_support_types:
 * Returns: (transfer none): every support type code, %NULL-terminated.
 */
const char * const *
clmrs_support_types (void)
{
  return support_codes;
}

static gboolean
support_rule_matches (const SupportRule         *rule,
                      const ClmrsProfile        *profile,
                      const ClmrsClassification *classification)
{
  gboolean any = FALSE;

  if (rule->status != NULL
      && !g_strv_contains ((const char * const *) rule->status,
                           clmrs_status_to_string (classification->status)))
    return FALSE;
  if (rule->min_age >= 0 && profile->age < rule->min_age)
    return FALSE;
  if (rule->max_age >= 0 && profile->age > rule->max_age)
    return FALSE;
  if (rule->in_school >= 0 && profile->in_school != rule->in_school)
    return FALSE;
  if (rule->reason == NULL && rule->item == NULL)
    return TRUE;
  for (guint i = 0; i < classification->reasons->len && !any; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (classification->reasons, i);
      any = (rule->reason == NULL
             || g_strv_contains ((const char * const *) rule->reason, reason->code))
            && (rule->item == NULL
                || (reason->item != NULL
                    && g_strv_contains ((const char * const *) rule->item, reason->item)));
    }
  return any;
}

/**
 * clmrs_suggest_supports:
 *
 * Returns: (transfer full): the support types the rule set's mapping suggests
 * for this child, in mapping order, each once; never %NULL (empty when out of
 * scope).  "referral" is always first for a worst form or immediate danger,
 * whatever the mapping says.
 */
GStrv
clmrs_suggest_supports (const ClmrsRuleSet        *rules,
                        const ClmrsProfile        *profile,
                        const ClmrsClassification *classification)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (rules != NULL && profile != NULL && classification != NULL, NULL);

  if (classification->status == CLMRS_STATUS_OUT_OF_SCOPE)
    return g_strv_builder_end (builder);
  if (classification->status == CLMRS_STATUS_WORST_FORM
      || clmrs_classification_has_reason (classification, "immediate_danger", NULL))
    {
      g_hash_table_add (seen, (gpointer) "referral");
      g_strv_builder_add (builder, "referral");
    }
  for (guint i = 0; i < rules->supports->len; i++)
    {
      SupportRule *rule = g_ptr_array_index (rules->supports, i);

      if (!support_rule_matches (rule, profile, classification))
        continue;
      for (guint s = 0; rule->suggest[s] != NULL; s++)
        if (!g_hash_table_contains (seen, rule->suggest[s]))
          {
            g_hash_table_add (seen, rule->suggest[s]);
            g_strv_builder_add (builder, rule->suggest[s]);
          }
    }
  return g_strv_builder_end (builder);
}
