/* rules-profile.c: reads a child's profile (the classifier's input) from JSON. */
#define G_LOG_DOMAIN "clmrs-rules"

#include "rules-private.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

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
  if (!_clmrs_json_node_is_bool (node))
    return profile_fail (pr, field, "expected a boolean, got %s", _clmrs_json_node_kind (node));
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
  if (!_clmrs_json_node_is_number (node))
    return profile_fail (pr, field, "expected a number, got %s", _clmrs_json_node_kind (node));
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
    return profile_fail (pr, field, "expected an array of codes, got %s", _clmrs_json_node_kind (node));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *code;
      gboolean known = FALSE;

      if (!_clmrs_json_node_is_string (element))
        return profile_fail (pr, field, "item %u: expected a code (string), got %s",
                             i, _clmrs_json_node_kind (element));
      code = json_node_get_string (element);
      for (int l = first; l <= (int) last && !known; l++)
        known = clmrs_rule_set_has_code (rules, _clmrs_rules_list_names[l], code);
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
  if (!_clmrs_json_node_get_int64 (node, &age))
    {
      profile_fail (&pr, "age", "expected an integer, got %s", _clmrs_json_node_kind (node));
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
  if (!_clmrs_json_node_is_string (node))
    {
      profile_fail (&pr, "sex", "expected \"male\" or \"female\", got %s", _clmrs_json_node_kind (node));
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

      if (!_clmrs_json_node_is_string (node))
        {
          profile_fail (&pr, "birth_certificate", "expected \"yes\", \"no\" or \"in_process\", "
                        "got %s", _clmrs_json_node_kind (node));
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
      if (!_clmrs_json_node_is_string (node)
          || (!g_str_equal (json_node_get_string (node), "12m")
              && !g_str_equal (json_node_get_string (node), "since_last_visit")))
        {
          profile_fail (&pr, "abuse_recall", "expected \"12m\" or \"since_last_visit\", got %s",
                        _clmrs_json_node_is_string (node) ? "another string" : _clmrs_json_node_kind (node));
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

      if (!_clmrs_json_node_is_string (node) || !g_strv_contains (severities, json_node_get_string (node)))
        {
          profile_fail (&pr, "work_injury_12m", "expected \"none\", \"not_serious\", "
                        "\"stopped_short\" or \"stopped_completely\", got %s",
                        _clmrs_json_node_is_string (node) ? "another string" : _clmrs_json_node_kind (node));
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
