/* test-rules.c: the child labour rules classify correctly at every boundary, and refuse bad input. */
#include "assets.h"
#include "rules.h"

#include <glib/gstdio.h>
#include <string.h>

/* Every in-scope field at a neutral value: a 10-year-old girl in school who
 * did nothing in the last 7 days. */
static const char base_profile[] =
  "{\"age\": 10, \"sex\": \"female\", \"in_school\": true, \"econ_hours_7d\": 0,"
  " \"chores_hours_7d\": 0, \"night_work_7d\": false, \"tasks_7d\": [], \"tasks_12m\": [],"
  " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false}";

/* Codes as docs/rules-format.md fixes them, written out here independently of rules.c. */
static const char * const hazardous_tasks[] = {
  "land_clearing", "tree_felling", "bush_burning", "agrochemical_application",
  "present_during_spraying", "machete_weeding", "pod_breaking_machete",
  "climbing_trees", "heavy_loads", "long_distance_carrying", "working_alone", NULL
};
static const char * const light_tasks[] = {
  "planting", "picking_pods_within_reach", "gathering_pods", "fermenting_beans",
  "drying_beans", "filling_nursery_bags", "fetching_water", NULL
};
static const char * const hazard_conditions[] = {
  "dust_fumes", "fire_gas_flames", "noise_vibration", "extreme_temperature",
  "dangerous_tools", "underground", "heights", "water", "dark_confined",
  "poor_ventilation", "chemicals", "explosives", "other_unsafe", NULL
};
static const char * const abuse_codes[] = {
  "shouted_at", "insulted", "beaten", "sexual_abuse", "other_abuse", NULL
};
static const char * const wfcl_signals[] = {
  "trafficking", "forced_labour", "debt_bondage", "sexual_exploitation",
  "illicit_activities", "armed_recruitment", NULL
};
static const char * const rule_set_names[] = { "ilo", "gh", "ci", NULL };

/* ------------------------------------------------------------------------- */
/* Helpers                                                                    */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* The base profile with @overrides' members put over it. */
static JsonNode *
profile_json (const char *overrides)
{
  JsonNode *base = parse_json (base_profile);

  if (overrides != NULL)
    {
      g_autoptr(JsonNode) over = parse_json (overrides);
      JsonObject *object = json_node_get_object (over);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (json_node_get_object (base), l->data,
                                json_node_copy (json_object_get_member (object, l->data)));
    }
  return base;
}

static ClmrsRuleSet *
builtin (const char *name)
{
  g_autoptr(GError) error = NULL;
  ClmrsRuleSet *rules = clmrs_rule_set_load_builtin (name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}

static ClmrsProfile *
profile_for (const ClmrsRuleSet *rules,
             const char         *overrides)
{
  g_autoptr(JsonNode) node = profile_json (overrides);
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  ClmrsProfile *profile;

  profile = clmrs_profile_from_json_full (json_node_get_object (node), rules, &field, &error);
  g_assert_no_error (error);
  g_assert_null (field);
  g_assert_nonnull (profile);
  return profile;
}

/* "code code:item ..." of a classification, in order. */
static char *
reason_list (const ClmrsClassification *c)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < c->reasons->len; i++)
    {
      ClmrsReason *reason = g_ptr_array_index (c->reasons, i);

      g_assert_nonnull (reason->detail);
      g_assert_cmpuint (strlen (reason->detail), >, 20);
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, reason->code);
      if (reason->item != NULL)
        g_string_append_printf (text, ":%s", reason->item);
    }
  return g_string_free (text, FALSE);
}

/* A rule set text (a built-in one) with @path set to @value (JSON text), or
 * removed when @value is NULL.  Paths: "a.b", "a.b[2]", "a.b[+]" (append). */
static char *
mutate (const char *name,
        const char *path,
        const char *value)
{
  g_autofree char *relative = g_strdup_printf ("rules/%s.json", name);
  g_autoptr(GBytes) bytes = clmrs_assets_lookup (relative, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  g_autofree char *text = NULL;
  JsonNode *node;
  guint n = g_strv_length (parts);

  g_assert_nonnull (bytes);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  root = parse_json (text);
  node = root;

  for (guint i = 0; i < n; i++)
    {
      char *bracket = strchr (parts[i], '[');
      gboolean last = i + 1 == n;
      JsonObject *object = json_node_get_object (node);

      if (bracket == NULL)
        {
          if (!last)
            node = json_object_get_member (object, parts[i]);
          else if (value == NULL)
            json_object_remove_member (object, parts[i]);
          else
            json_object_set_member (object, parts[i], parse_json (value));
          g_assert_nonnull (node);
          continue;
        }

      *bracket = '\0';
      {
        JsonArray *array = json_object_get_array_member (object, parts[i]);
        const char *index = bracket + 1;

        g_assert_nonnull (array);
        if (g_str_has_prefix (index, "+"))
          {
            g_assert_true (last);
            json_array_add_element (array, parse_json (value));
          }
        else if (last)
          {
            guint at = (guint) g_ascii_strtoull (index, NULL, 10);
            JsonArray *copy = json_array_new ();

            for (guint e = 0; e < json_array_get_length (array); e++)
              {
                if (e != at)
                  json_array_add_element (copy, json_node_copy (json_array_get_element (array, e)));
                else if (value != NULL)
                  json_array_add_element (copy, parse_json (value));
              }
            json_object_set_array_member (object, parts[i], copy);
          }
        else
          node = json_array_get_element (array, (guint) g_ascii_strtoull (index, NULL, 10));
      }
    }

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* A rule set from @text; asserts it loads. */
static ClmrsRuleSet *
load_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  ClmrsRuleSet *rules = clmrs_rule_set_load_data (text, -1, "custom.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}

/* ------------------------------------------------------------------------- */
/* Classification table                                                       */

typedef struct {
  const char *name;
  const char *rules;
  const char *profile;            /* members put over base_profile */
  const char *status;
  const char *reasons;            /* reason codes ("code" or "code:item"), in order */
  const char *recall;             /* "7d", "12m", NULL for null */
} ClassifyCase;

#define P(...) "{" #__VA_ARGS__ "}"

static const ClassifyCase classify_cases[] = {
  /* Scope: ages 4 and 18 need no other field. */
  { "ilo/age-4", "ilo", P("age": 4), "out_of_scope", "age_out_of_scope", NULL },
  { "ilo/age-4-working", "ilo", P("age": 4, "econ_hours_7d": 50), "out_of_scope", "age_out_of_scope", NULL },
  { "gh/age-18-hazardous", "gh", P("age": 18, "tasks_7d": ["tree_felling"]), "out_of_scope", "age_out_of_scope", NULL },
  { "ci/age-0", "ci", P("age": 0), "out_of_scope", "age_out_of_scope", NULL },
  { "ci/age-99", "ci", P("age": 99), "out_of_scope", "age_out_of_scope", NULL },

  /* ILO: 5-11 >= 1 h; 12-14 >= 14 h; 15-17 >= 43 h. */
  { "ilo/age-5-econ-0", "ilo", P("age": 5), "not_in_child_labour", "not_working", "7d" },
  { "ilo/age-5-econ-0.5", "ilo", P("age": 5, "econ_hours_7d": 0.5), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-5-econ-1", "ilo", P("age": 5, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "ilo/age-11-econ-0.9", "ilo", P("age": 11, "econ_hours_7d": 0.9), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-11-econ-1", "ilo", P("age": 11, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "ilo/age-11-econ-1.5", "ilo", P("age": 11, "econ_hours_7d": 1.5), "child_labour", "below_light_work_age", "7d" },
  { "ilo/age-12-econ-1", "ilo", P("age": 12, "econ_hours_7d": 1), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-12-econ-13.5", "ilo", P("age": 12, "econ_hours_7d": 13.5), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-12-econ-14", "ilo", P("age": 12, "econ_hours_7d": 14), "child_labour", "light_work_hours", "7d" },
  { "ilo/age-14-econ-13.9", "ilo", P("age": 14, "econ_hours_7d": 13.9), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-14-econ-14", "ilo", P("age": 14, "econ_hours_7d": 14), "child_labour", "light_work_hours", "7d" },
  { "ilo/age-14-econ-14.5", "ilo", P("age": 14, "econ_hours_7d": 14.5), "child_labour", "light_work_hours", "7d" },
  { "ilo/age-14-econ-43", "ilo", P("age": 14, "econ_hours_7d": 43), "child_labour", "light_work_hours", "7d" },
  { "ilo/age-15-econ-14", "ilo", P("age": 15, "econ_hours_7d": 14), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-15-econ-42.5", "ilo", P("age": 15, "econ_hours_7d": 42.5), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-15-econ-43", "ilo", P("age": 15, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "ilo/age-17-econ-42.9", "ilo", P("age": 17, "econ_hours_7d": 42.9), "not_in_child_labour", "permitted_work", "7d" },
  { "ilo/age-17-econ-43", "ilo", P("age": 17, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "ilo/age-17-econ-168", "ilo", P("age": 17, "econ_hours_7d": 168), "hazardous_child_labour", "long_hours", "7d" },
  { "ilo/age-17-light-task", "ilo", P("age": 17, "econ_hours_7d": 3, "tasks_7d": ["planting"]), "not_in_child_labour", "permitted_work", "7d" },

  /* ILO chores: more than 21 h at 5-14. */
  { "ilo/chores-age-5-21", "ilo", P("age": 5, "chores_hours_7d": 21), "not_in_child_labour", "not_working", "7d" },
  { "ilo/chores-age-5-21.5", "ilo", P("age": 5, "chores_hours_7d": 21.5), "child_labour", "chores_hours", "7d" },
  { "ilo/chores-age-14-21", "ilo", P("age": 14, "chores_hours_7d": 21), "not_in_child_labour", "not_working", "7d" },
  { "ilo/chores-age-14-22", "ilo", P("age": 14, "chores_hours_7d": 22), "child_labour", "chores_hours", "7d" },
  { "ilo/chores-age-15-60", "ilo", P("age": 15, "chores_hours_7d": 60), "not_in_child_labour", "not_working", "7d" },
  { "ilo/chores-and-work-age-11", "ilo", P("age": 11, "econ_hours_7d": 1, "chores_hours_7d": 22), "child_labour", "below_light_work_age chores_hours", "7d" },

  /* Ghana: light work from 13, at most 14 h a week; employment 15. */
  { "gh/age-5-econ-1", "gh", P("age": 5, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "gh/age-11-econ-1", "gh", P("age": 11, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "gh/age-12-econ-0.5", "gh", P("age": 12, "econ_hours_7d": 0.5), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-12-econ-1", "gh", P("age": 12, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "gh/age-12-econ-14", "gh", P("age": 12, "econ_hours_7d": 14), "child_labour", "below_light_work_age", "7d" },
  { "gh/age-13-econ-1", "gh", P("age": 13, "econ_hours_7d": 1), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-13-econ-13.5", "gh", P("age": 13, "econ_hours_7d": 13.5), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-13-econ-14", "gh", P("age": 13, "econ_hours_7d": 14), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-13-econ-14.5", "gh", P("age": 13, "econ_hours_7d": 14.5), "child_labour", "light_work_hours", "7d" },
  { "gh/age-14-econ-14", "gh", P("age": 14, "econ_hours_7d": 14), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-14-econ-15", "gh", P("age": 14, "econ_hours_7d": 15), "child_labour", "light_work_hours", "7d" },
  { "gh/age-15-econ-15", "gh", P("age": 15, "econ_hours_7d": 15), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-15-econ-42", "gh", P("age": 15, "econ_hours_7d": 42), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-15-econ-43", "gh", P("age": 15, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "gh/age-17-econ-42.99", "gh", P("age": 17, "econ_hours_7d": 42.99), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/age-17-econ-43", "gh", P("age": 17, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "gh/age-14-light-task-not-restricted", "gh", P("age": 14, "econ_hours_7d": 3, "tasks_7d": ["fermenting_beans", "fetching_water"]), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/chores-age-14-21", "gh", P("age": 14, "chores_hours_7d": 21), "not_in_child_labour", "not_working", "7d" },
  { "gh/chores-age-14-21.1", "gh", P("age": 14, "chores_hours_7d": 21.1), "child_labour", "chores_hours", "7d" },
  { "gh/chores-age-15-30", "gh", P("age": 15, "chores_hours_7d": 30), "not_in_child_labour", "not_working", "7d" },
  { "gh/night-work", "gh", P("age": 16, "econ_hours_7d": 4, "night_work_7d": true), "hazardous_child_labour", "night_work", "7d" },

  /* Côte d'Ivoire: light work 13-15 on the permitted list only, 14 h or more is
   * over the cap; employment 16. */
  { "ci/age-11-econ-1", "ci", P("age": 11, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "ci/age-12-econ-0.9", "ci", P("age": 12, "econ_hours_7d": 0.9), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-12-econ-1", "ci", P("age": 12, "econ_hours_7d": 1), "child_labour", "below_light_work_age", "7d" },
  { "ci/age-13-econ-13.9", "ci", P("age": 13, "econ_hours_7d": 13.9), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-13-econ-14", "ci", P("age": 13, "econ_hours_7d": 14), "child_labour", "light_work_hours", "7d" },
  { "ci/age-15-econ-13", "ci", P("age": 15, "econ_hours_7d": 13), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-15-econ-14", "ci", P("age": 15, "econ_hours_7d": 14), "child_labour", "light_work_hours", "7d" },
  { "ci/age-15-econ-43", "ci", P("age": 15, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours light_work_hours", "7d" },
  { "ci/age-16-econ-14", "ci", P("age": 16, "econ_hours_7d": 14), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-16-econ-42", "ci", P("age": 16, "econ_hours_7d": 42), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-17-econ-43", "ci", P("age": 17, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "ci/list-age-14-fermenting", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["fermenting_beans"]), "child_labour", "light_work_task_not_permitted:fermenting_beans", "7d" },
  { "ci/list-age-13-fetching-water", "ci", P("age": 13, "econ_hours_7d": 2, "tasks_7d": ["fetching_water"]), "child_labour", "light_work_task_not_permitted:fetching_water", "7d" },
  { "ci/list-age-15-both", "ci", P("age": 15, "econ_hours_7d": 2, "tasks_7d": ["planting", "fetching_water", "fermenting_beans"]), "child_labour", "light_work_task_not_permitted:fetching_water light_work_task_not_permitted:fermenting_beans", "7d" },
  { "ci/list-age-15-over-cap", "ci", P("age": 15, "econ_hours_7d": 20, "tasks_7d": ["fermenting_beans"]), "child_labour", "light_work_task_not_permitted:fermenting_beans light_work_hours", "7d" },
  { "ci/list-age-16-fermenting", "ci", P("age": 16, "econ_hours_7d": 2, "tasks_7d": ["fermenting_beans"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/list-age-12-fermenting", "ci", P("age": 12, "econ_hours_7d": 2, "tasks_7d": ["fermenting_beans"]), "child_labour", "below_light_work_age", "7d" },
  { "ci/list-12m-only", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_12m": ["fermenting_beans"]), "not_in_child_labour", "permitted_work", "7d" },
  /* Ghana: weeding with a cutlass is hazardous below 15, permitted at 15-17 (codes.tasks_permitted_from). */
  { "gh/cutlass-age-14", "gh", P("age": 14, "econ_hours_7d": 4, "tasks_7d": ["machete_weeding"]), "hazardous_child_labour", "hazardous_task:machete_weeding", "7d" },
  { "gh/cutlass-age-15", "gh", P("age": 15, "econ_hours_7d": 4, "tasks_7d": ["machete_weeding"]), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/cutlass-age-17-12m", "gh", P("age": 17, "econ_hours_7d": 4, "tasks_12m": ["machete_weeding"]), "not_in_child_labour", "permitted_work", "7d" },
  { "gh/cutlass-age-16-long-hours", "gh", P("age": 16, "econ_hours_7d": 43, "tasks_7d": ["machete_weeding"]), "hazardous_child_labour", "long_hours", "7d" },
  { "gh/cutlass-age-16-with-clearing", "gh", P("age": 16, "econ_hours_7d": 4, "tasks_7d": ["machete_weeding", "land_clearing"]), "hazardous_child_labour", "hazardous_task:land_clearing", "7d" },
  { "ilo/cutlass-age-16", "ilo", P("age": 16, "econ_hours_7d": 4, "tasks_7d": ["machete_weeding"]), "hazardous_child_labour", "hazardous_task:machete_weeding", "7d" },
  { "ci/cutlass-age-16", "ci", P("age": 16, "econ_hours_7d": 4, "tasks_7d": ["machete_weeding"]), "hazardous_child_labour", "hazardous_task:machete_weeding", "7d" },
  /* Abuse is asked over 12 months at identification: its recall is 12m. */
  { "gh/abuse-12m", "gh", P("age": 12, "abuse": ["beaten"]), "hazardous_child_labour", "abuse:beaten", "12m" },
  { "gh/abuse-since-last-visit", "gh", P("age": 12, "abuse": ["beaten"], "abuse_recall": "since_last_visit"), "hazardous_child_labour", "abuse:beaten", "7d" },
  /* Tasks the rule sets add to the shared list (chainsaw, mist blower, a sprayed farm). */
  { "ilo/chainsaw-16", "ilo", P("age": 16, "econ_hours_7d": 4, "tasks_7d": ["chainsaw_use"]), "hazardous_child_labour", "hazardous_task:chainsaw_use", "7d" },
  { "gh/mist-blower-15", "gh", P("age": 15, "econ_hours_7d": 4, "tasks_7d": ["mist_blower_use"]), "hazardous_child_labour", "hazardous_task:mist_blower_use", "7d" },
  { "ci/sprayed-farm-13", "ci", P("age": 13, "econ_hours_7d": 2, "tasks_7d": ["sprayed_farm_reentry"]), "hazardous_child_labour", "hazardous_task:sprayed_farm_reentry", "7d" },
  { "ci/sprayed-farm-12m", "ci", P("age": 13, "tasks_12m": ["sprayed_farm_reentry"]), "at_risk", "hazardous_task_12m:sprayed_farm_reentry", "12m" },
  /* An injury from work in the last 12 months is a risk, not an identification. */
  { "gh/injury-stopped-short", "gh", P("age": 11, "work_injury_12m": "stopped_short"), "at_risk", "work_injury_12m", "12m" },
  { "gh/injury-none", "gh", P("age": 11, "work_injury_12m": "none"), "not_in_child_labour", "not_working", "7d" },
  { "gh/injury-and-hazardous-task", "gh", P("age": 11, "econ_hours_7d": 3, "tasks_7d": ["land_clearing"], "work_injury_12m": "stopped_completely"), "hazardous_child_labour", "hazardous_task:land_clearing below_light_work_age work_injury_12m", "7d" },
  { "gh/abuse-none-since-last-visit", "gh", P("age": 12, "abuse": [], "abuse_recall": "since_last_visit"), "not_in_child_labour", "not_working", "7d" },
  { "ci/list-planting", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["planting"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/list-picking", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["picking_pods_within_reach"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/list-gathering", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["gathering_pods"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/list-drying", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["drying_beans"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/list-nursery", "ci", P("age": 14, "econ_hours_7d": 2, "tasks_7d": ["filling_nursery_bags"]), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-13-econ-14.5", "ci", P("age": 13, "econ_hours_7d": 14.5), "child_labour", "light_work_hours", "7d" },
  { "ci/age-14-econ-13.5", "ci", P("age": 14, "econ_hours_7d": 13.5), "not_in_child_labour", "permitted_work", "7d" },
  { "ci/age-16-econ-43", "ci", P("age": 16, "econ_hours_7d": 43), "hazardous_child_labour", "long_hours", "7d" },
  { "ci/chores-age-14-21", "ci", P("age": 14, "chores_hours_7d": 21), "not_in_child_labour", "not_working", "7d" },
  { "ci/chores-age-14-21.01", "ci", P("age": 14, "chores_hours_7d": 21.01), "child_labour", "chores_hours", "7d" },
  { "ci/chores-age-5-22", "ci", P("age": 5, "chores_hours_7d": 22), "child_labour", "chores_hours", "7d" },
  { "ci/chores-age-15-22", "ci", P("age": 15, "chores_hours_7d": 22), "not_in_child_labour", "not_working", "7d" },
  { "gh/chores-age-5-21.5", "gh", P("age": 5, "chores_hours_7d": 21.5), "child_labour", "chores_hours", "7d" },
  { "ci/night-no-window", "ci", P("age": 13, "night_work_7d": true), "hazardous_child_labour", "night_work", "7d" },

  /* Recall: the last 7 days identifies; the 12-month recall only flags risk. */
  { "gh/recall-7d", "gh", P("tasks_7d": ["bush_burning"]), "hazardous_child_labour", "hazardous_task:bush_burning", "7d" },
  { "gh/recall-12m-only", "gh", P("tasks_12m": ["bush_burning"]), "at_risk", "hazardous_task_12m:bush_burning", "12m" },
  { "gh/recall-both", "gh", P("tasks_7d": ["bush_burning"], "tasks_12m": ["bush_burning", "heavy_loads"]), "hazardous_child_labour", "hazardous_task:bush_burning hazardous_task_12m:heavy_loads", "7d" },
  { "ilo/recall-12m-light", "ilo", P("tasks_12m": ["planting"]), "not_in_child_labour", "not_working", "7d" },

  /* Worst forms override everything, and every other condition is kept. */
  { "gh/worst-form-override", "gh",
    P("age": 9, "in_school": false, "econ_hours_7d": 50, "chores_hours_7d": 30, "night_work_7d": true,
      "tasks_7d": ["tree_felling"], "tasks_12m": ["bush_burning"], "hazard_conditions": ["chemicals"],
      "abuse": ["beaten"], "wfcl_signals": ["debt_bondage", "trafficking"], "immediate_danger": true,
      "birth_certificate": "no"),
    "worst_form",
    "wfcl_signal:debt_bondage wfcl_signal:trafficking immediate_danger hazardous_task:tree_felling "
    "hazard_condition:chemicals night_work abuse:beaten below_light_work_age chores_hours "
    "hazardous_task_12m:bush_burning out_of_school no_birth_certificate", "7d" },
  { "ci/worst-form-no-work", "ci", P("age": 6, "wfcl_signals": ["forced_labour"]), "worst_form", "wfcl_signal:forced_labour", "7d" },
  { "ilo/hazardous-over-light", "ilo", P("age": 13, "econ_hours_7d": 20, "hazard_conditions": ["dust_fumes"]), "hazardous_child_labour", "hazard_condition:dust_fumes light_work_hours", "7d" },
  { "ilo/child-labour-over-risk", "ilo", P("age": 8, "econ_hours_7d": 2, "in_school": false), "child_labour", "below_light_work_age out_of_school", "7d" },

  /* Immediate danger: hazardous, referred. */
  { "gh/immediate-danger", "gh", P("age": 12, "immediate_danger": true), "hazardous_child_labour", "immediate_danger", "7d" },
  { "ci/immediate-danger-with-wfcl", "ci", P("age": 12, "immediate_danger": true, "wfcl_signals": ["illicit_activities"]), "worst_form", "wfcl_signal:illicit_activities immediate_danger", "7d" },

  /* At risk. */
  { "ilo/out-of-school-age-5", "ilo", P("age": 5, "in_school": false), "not_in_child_labour", "not_working", "7d" },
  { "ilo/out-of-school-age-6", "ilo", P("age": 6, "in_school": false), "at_risk", "out_of_school", "7d" },
  { "ilo/out-of-school-age-14", "ilo", P("age": 14, "in_school": false), "at_risk", "out_of_school", "7d" },
  { "ilo/out-of-school-age-15", "ilo", P("age": 15, "in_school": false), "not_in_child_labour", "not_working", "7d" },
  { "gh/out-of-school-age-14", "gh", P("age": 14, "in_school": false), "at_risk", "out_of_school", "7d" },
  { "ci/out-of-school-age-16", "ci", P("age": 16, "in_school": false), "at_risk", "out_of_school", "7d" },
  { "ci/out-of-school-age-17", "ci", P("age": 17, "in_school": false), "not_in_child_labour", "not_working", "7d" },
  { "gh/birth-certificate-no", "gh", P("birth_certificate": "no"), "at_risk", "no_birth_certificate", "7d" },
  { "gh/birth-certificate-in-process", "gh", P("birth_certificate": "in_process"), "not_in_child_labour", "not_working", "7d" },
  { "gh/birth-certificate-yes", "gh", P("birth_certificate": "yes"), "not_in_child_labour", "not_working", "7d" },
  { "gh/birth-certificate-null", "gh", P("birth_certificate": null), "not_in_child_labour", "not_working", "7d" },
  { "ci/risk-all", "ci", P("age": 11, "in_school": false, "birth_certificate": "no", "tasks_12m": ["climbing_trees"]), "at_risk", "hazardous_task_12m:climbing_trees out_of_school no_birth_certificate", "12m" },
  { "ilo/risk-and-permitted-work", "ilo", P("age": 16, "econ_hours_7d": 10, "tasks_12m": ["machete_weeding"]), "at_risk", "hazardous_task_12m:machete_weeding", "12m" },
};

static void
test_classify_case (gconstpointer data)
{
  const ClassifyCase *tc = data;
  g_autoptr(ClmrsRuleSet) rules = builtin (tc->rules);
  g_autoptr(ClmrsProfile) profile = profile_for (rules, tc->profile);
  g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
  g_autofree char *reasons = reason_list (c);
  /* gh and ci 2026.2: the cutlass age and the provisional entries */
  g_autofree char *expected_rules = g_strdup_printf ("%s@%s", tc->rules,
                                             "2026.2");

  g_assert_cmpstr (clmrs_status_to_string (c->status), ==, tc->status);
  g_assert_cmpstr (reasons, ==, tc->reasons);
  g_assert_cmpstr (clmrs_recall_to_string (c->recall), ==, tc->recall);
  g_assert_cmpstr (c->rules, ==, expected_rules);
}

/* ------------------------------------------------------------------------- */
/* Age sweep: the same hours at ages 4 5 11 12 14 15 17 18, per rule set      */

static ClmrsStatus classify_status (const ClmrsRuleSet *rules,
                                   const char         *overrides,
                                   char              **reasons,
                                   ClmrsRecall        *recall);

typedef struct {
  const char *rules;
  const char *hours;
  const char *statuses[8];        /* O out_of_scope, N not, C child_labour, H hazardous */
} SweepCase;

static const int sweep_ages[8] = { 4, 5, 11, 12, 14, 15, 17, 18 };

static const SweepCase sweep_cases[] = {
  /*                          4    5    11   12   14   15   17   18 */
  { "ilo", "0",           { "O", "N", "N", "N", "N", "N", "N", "O" } },
  { "ilo", "1",           { "O", "C", "C", "N", "N", "N", "N", "O" } },
  { "ilo", "14",          { "O", "C", "C", "C", "C", "N", "N", "O" } },
  { "ilo", "43",          { "O", "C", "C", "C", "C", "H", "H", "O" } },
  { "gh",  "0",           { "O", "N", "N", "N", "N", "N", "N", "O" } },
  { "gh",  "1",           { "O", "C", "C", "C", "N", "N", "N", "O" } },
  { "gh",  "14",          { "O", "C", "C", "C", "N", "N", "N", "O" } },
  { "gh",  "14.5",        { "O", "C", "C", "C", "C", "N", "N", "O" } },
  { "gh",  "43",          { "O", "C", "C", "C", "C", "H", "H", "O" } },
  { "ci",  "0",           { "O", "N", "N", "N", "N", "N", "N", "O" } },
  { "ci",  "1",           { "O", "C", "C", "C", "N", "N", "N", "O" } },
  { "ci",  "14",          { "O", "C", "C", "C", "C", "C", "N", "O" } },
  { "ci",  "43",          { "O", "C", "C", "C", "C", "H", "H", "O" } },
};

static void
test_age_sweep (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sweep_cases); i++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (sweep_cases[i].rules);

      for (guint a = 0; a < G_N_ELEMENTS (sweep_ages); a++)
        {
          g_autofree char *p = g_strdup_printf ("{\"age\": %d, \"econ_hours_7d\": %s}",
                                                sweep_ages[a], sweep_cases[i].hours);
          const char *want = sweep_cases[i].statuses[a];
          ClmrsStatus status = classify_status (rules, p, NULL, NULL);
          ClmrsStatus expected = g_str_equal (want, "O") ? CLMRS_STATUS_OUT_OF_SCOPE
                                 : g_str_equal (want, "N") ? CLMRS_STATUS_NOT_IN_CHILD_LABOUR
                                 : g_str_equal (want, "C") ? CLMRS_STATUS_CHILD_LABOUR
                                 : CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR;

          g_test_message ("%s, %s h at age %d", sweep_cases[i].rules, sweep_cases[i].hours,
                          sweep_ages[a]);
          g_assert_cmpstr (clmrs_status_to_string (status), ==, clmrs_status_to_string (expected));
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Every code of every list, per rule set                                     */

static ClmrsStatus
classify_status (const ClmrsRuleSet *rules,
                 const char         *overrides,
                 char              **reasons,
                 ClmrsRecall        *recall)
{
  g_autoptr(ClmrsProfile) profile = profile_for (rules, overrides);
  g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);

  if (reasons != NULL)
    *reasons = reason_list (c);
  if (recall != NULL)
    *recall = c->recall;
  return c->status;
}

static void
test_every_hazardous_task (void)
{
  for (guint r = 0; rule_set_names[r] != NULL; r++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (rule_set_names[r]);

      for (guint i = 0; hazardous_tasks[i] != NULL; i++)
        {
          const char *task = hazardous_tasks[i];
          g_autofree char *in_7d = g_strdup_printf ("{\"age\": 5, \"tasks_7d\": [\"%s\"]}", task);
          g_autofree char *in_12m = g_strdup_printf ("{\"age\": 17, \"tasks_12m\": [\"%s\"]}", task);
          g_autofree char *old = g_strdup_printf ("{\"age\": 17, \"econ_hours_7d\": 2, \"tasks_7d\": [\"%s\"]}", task);
          g_autofree char *want_7d = g_strdup_printf ("hazardous_task:%s", task);
          g_autofree char *want_12m = g_strdup_printf ("hazardous_task_12m:%s", task);
          g_autofree char *reasons = NULL;
          g_autofree char *reasons_12m = NULL;
          g_autofree char *reasons_old = NULL;
          ClmrsRecall recall;

          /* Ghana permits weeding with a cutlass at 15-17 (the gh/cutlass cases) */
          gboolean permitted_at_17 = g_str_equal (rule_set_names[r], "gh")
                                     && g_str_equal (task, "machete_weeding");

          g_test_message ("%s: %s", rule_set_names[r], task);
          g_assert_cmpint (classify_status (rules, in_7d, &reasons, &recall), ==,
                           CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
          g_assert_cmpstr (reasons, ==, want_7d);
          g_assert_cmpint (recall, ==, CLMRS_RECALL_7D);
          g_assert_cmpint (classify_status (rules, in_12m, &reasons_12m, &recall), ==,
                           permitted_at_17 ? CLMRS_STATUS_NOT_IN_CHILD_LABOUR : CLMRS_STATUS_AT_RISK);
          g_assert_cmpstr (reasons_12m, ==, permitted_at_17 ? "not_working" : want_12m);
          g_assert_cmpint (recall, ==, permitted_at_17 ? CLMRS_RECALL_7D : CLMRS_RECALL_12M);
          g_assert_cmpint (classify_status (rules, old, &reasons_old, NULL), ==,
                           permitted_at_17 ? CLMRS_STATUS_NOT_IN_CHILD_LABOUR
                                           : CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
          g_assert_cmpstr (reasons_old, ==, permitted_at_17 ? "permitted_work" : want_7d);
        }
    }
}

static void
test_every_light_task (void)
{
  for (guint r = 0; rule_set_names[r] != NULL; r++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (rule_set_names[r]);

      for (guint i = 0; light_tasks[i] != NULL; i++)
        {
          g_autofree char *young = g_strdup_printf ("{\"age\": 8, \"econ_hours_7d\": 0.5, "
                                                    "\"tasks_7d\": [\"%s\"]}", light_tasks[i]);
          g_autofree char *old = g_strdup_printf ("{\"age\": 16, \"econ_hours_7d\": 10, "
                                                  "\"tasks_7d\": [\"%s\"], \"tasks_12m\": [\"%s\"]}",
                                                  light_tasks[i], light_tasks[i]);
          g_autofree char *reasons = NULL;

          g_assert_cmpint (classify_status (rules, young, &reasons, NULL), ==,
                           CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
          g_assert_cmpstr (reasons, ==, "permitted_work");
          g_assert_cmpint (classify_status (rules, old, NULL, NULL), ==,
                           CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
        }
    }
}

static void
test_every_condition_abuse_signal (void)
{
  for (guint r = 0; rule_set_names[r] != NULL; r++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (rule_set_names[r]);

      for (guint i = 0; hazard_conditions[i] != NULL; i++)
        {
          g_autofree char *p = g_strdup_printf ("{\"age\": 17, \"hazard_conditions\": [\"%s\"]}",
                                                hazard_conditions[i]);
          g_autofree char *want = g_strdup_printf ("hazard_condition:%s", hazard_conditions[i]);
          g_autofree char *reasons = NULL;

          g_assert_cmpint (classify_status (rules, p, &reasons, NULL), ==,
                           CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
          g_assert_cmpstr (reasons, ==, want);
        }
      for (guint i = 0; abuse_codes[i] != NULL; i++)
        {
          g_autofree char *p = g_strdup_printf ("{\"age\": 5, \"abuse\": [\"%s\"]}", abuse_codes[i]);
          g_autofree char *want = g_strdup_printf ("abuse:%s", abuse_codes[i]);
          g_autofree char *reasons = NULL;

          g_assert_cmpint (classify_status (rules, p, &reasons, NULL), ==,
                           CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
          g_assert_cmpstr (reasons, ==, want);
        }
      for (guint i = 0; wfcl_signals[i] != NULL; i++)
        {
          g_autofree char *p = g_strdup_printf ("{\"age\": 17, \"econ_hours_7d\": 50, "
                                                "\"hazard_conditions\": [\"heights\"], "
                                                "\"wfcl_signals\": [\"%s\"]}", wfcl_signals[i]);
          g_autofree char *want = g_strdup_printf ("wfcl_signal:%s hazard_condition:heights long_hours",
                                                   wfcl_signals[i]);
          g_autofree char *reasons = NULL;

          g_assert_cmpint (classify_status (rules, p, &reasons, NULL), ==, CLMRS_STATUS_WORST_FORM);
          g_assert_cmpstr (reasons, ==, want);
        }
    }
}

/* Night work is hazardous at every in-scope age, in every shipped set. */
static void
test_night_work_every_age (void)
{
  for (guint r = 0; rule_set_names[r] != NULL; r++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (rule_set_names[r]);

      for (int age = 5; age <= 17; age++)
        {
          g_autofree char *p = g_strdup_printf ("{\"age\": %d, \"night_work_7d\": true}", age);
          g_autofree char *reasons = NULL;

          g_assert_cmpint (classify_status (rules, p, &reasons, NULL), ==,
                           CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
          g_assert_cmpstr (reasons, ==, "night_work");
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Details a facilitator reads                                                */

static const char *
first_detail (const ClmrsClassification *c)
{
  g_assert_cmpuint (c->reasons->len, >, 0);
  return ((ClmrsReason *) g_ptr_array_index (c->reasons, 0))->detail;
}

static void
test_details (void)
{
  static const struct {
    const char *rules;
    const char *profile;
    const char *detail;
  } cases[] = {
    { "gh", "{\"age\": 9, \"econ_hours_7d\": 12}",
      "12 h of economic work in the last 7 days at age 9: any work of 1 h or more under 13 is child labour (gh)" },
    { "gh", "{\"age\": 14, \"econ_hours_7d\": 15.5}",
      "15.5 h of economic work in the last 7 days at age 14: more than 14 h a week at 13-14 is more than light work (gh)" },
    { "ilo", "{\"age\": 12, \"econ_hours_7d\": 14}",
      "14 h of economic work in the last 7 days at age 12: 14 h or more a week at 12-14 is more than light work (ilo)" },
    { "ilo", "{\"age\": 16, \"econ_hours_7d\": 43}",
      "43 h of economic work in the last 7 days at age 16: 43 h or more a week at 15-17 is hazardous (long hours) (ilo)" },
    { "ilo", "{\"age\": 7, \"chores_hours_7d\": 28}",
      "28 h of household chores in the last 7 days at age 7: more than 21 h a week at 5-14 is child labour (hazardous unpaid household services) (ilo)" },
    { "gh", "{\"age\": 10, \"night_work_7d\": true}",
      "night work (20:00-06:00) in the last 7 days at age 10: prohibited under 18 (gh)" },
    { "ci", "{\"age\": 10, \"night_work_7d\": true}",
      "night work in the last 7 days at age 10: prohibited under 18 (ci)" },
    { "ci", "{\"age\": 14, \"econ_hours_7d\": 1, \"tasks_7d\": [\"fermenting_beans\"]}",
      "fermenting beans in the last 7 days at age 14: not on the permitted light-work list for ages 13-15; "
      "provisional: left off the permitted light-work list until the 2017 arrêté's list [S31] is encoded; "
      "[S24], [S28] do not cite it (ci)" },
    { "gh", "{\"age\": 14, \"tasks_7d\": [\"machete_weeding\"]}",
      "machete weeding in the last 7 days at age 14: a hazardous task, prohibited under 15 (gh)" },
    { "gh", "{\"age\": 16, \"econ_hours_7d\": 6, \"tasks_7d\": [\"machete_weeding\", \"planting\"]}",
      "6 h of economic work in the last 7 days at age 16, within the limits for the age; machete weeding "
      "is permitted from 15; provisional: weeding with an age-appropriate cutlass at 15-17 as reported "
      "from the HAF [S24], not read in the HAF text [S26] (gh)" },
    { "gh", "{\"age\": 9, \"abuse\": [\"insulted\"]}",
      "abuse at work (insulted) in the last 12 months at age 9: work that exposes a child to abuse is hazardous (gh)" },
    { "gh", "{\"age\": 9, \"abuse\": [\"insulted\"], \"abuse_recall\": \"since_last_visit\"}",
      "abuse at work (insulted) since the last visit at age 9: work that exposes a child to abuse is hazardous (gh)" },
    { "gh", "{\"age\": 11, \"tasks_7d\": [\"land_clearing\"]}",
      "land clearing in the last 7 days at age 11: a hazardous task, prohibited under 18 (gh)" },
    { "gh", "{\"age\": 11, \"tasks_12m\": [\"land_clearing\"]}",
      "land clearing in the last 12 months but not in the last 7 days at age 11: a hazardous task, a risk of hazardous child labour (gh)" },
    { "ilo", "{\"age\": 4}",
      "age 4: outside the 5-17 scope of child labour (ilo)" },
    { "ilo", "{\"age\": 10, \"in_school\": false}",
      "not in school at age 10: a risk factor (ilo)" },
    { "ilo", "{\"age\": 10}",
      "no economic work in the last 7 days and no other condition (ilo)" },
    { "ilo", "{\"age\": 10, \"econ_hours_7d\": 0.5}",
      "0.5 h of economic work in the last 7 days at age 10, within the limits for the age (ilo)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (cases[i].rules);
      g_autoptr(ClmrsProfile) profile = profile_for (rules, cases[i].profile);
      g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);

      g_assert_cmpstr (first_detail (c), ==, cases[i].detail);
    }
}

/* ------------------------------------------------------------------------- */
/* Custom rule sets: parameters that the shipped sets do not exercise         */

static ClmrsStatus
custom_status (const char *path,
               const char *value,
               const char *overrides,
               char      **reasons,
               ClmrsRecall *recall)
{
  g_autofree char *text = mutate ("gh", path, value);
  g_autoptr(ClmrsRuleSet) rules = load_text (text);

  return classify_status (rules, overrides, reasons, recall);
}

static void
test_recall_12m_identifies (void)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  ClmrsRecall recall;

  g_assert_cmpint (custom_status ("parameters.identifying_recall", "\"12m\"",
                                  "{\"tasks_12m\": [\"tree_felling\"]}", &a, &recall), ==,
                   CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_cmpstr (a, ==, "hazardous_task:tree_felling");
  g_assert_cmpint (recall, ==, CLMRS_RECALL_12M);

  g_assert_cmpint (custom_status ("parameters.identifying_recall", "\"12m\"",
                                  "{\"tasks_7d\": [\"tree_felling\"], \"tasks_12m\": [\"tree_felling\"]}",
                                  &b, &recall), ==, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_cmpstr (b, ==, "hazardous_task:tree_felling");
  g_assert_cmpint (recall, ==, CLMRS_RECALL_7D);

  /* Light-work list with a 12-month recall: a task off the list in 12 months counts. */
  {
    g_autofree char *text = mutate ("ci", "parameters.identifying_recall", "\"12m\"");
    g_autoptr(ClmrsRuleSet) rules = load_text (text);

    g_assert_cmpint (classify_status (rules, "{\"age\": 14, \"tasks_12m\": [\"fetching_water\"]}",
                                      &c, &recall), ==, CLMRS_STATUS_CHILD_LABOUR);
    g_assert_cmpstr (c, ==, "light_work_task_not_permitted:fetching_water");
    g_assert_cmpint (recall, ==, CLMRS_RECALL_12M);
  }
}

static void
test_optional_parameters (void)
{
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL;

  /* No chores threshold. */
  g_assert_cmpint (custom_status ("parameters.chores", "null", "{\"age\": 8, \"chores_hours_7d\": 60}",
                                  &a, NULL), ==, CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
  g_assert_cmpstr (a, ==, "not_working");
  /* Chores ">=" convention (MICS6 code) at exactly 21. */
  g_assert_cmpint (custom_status ("parameters.chores.op", "\">=\"", "{\"age\": 8, \"chores_hours_7d\": 21}",
                                  &b, NULL), ==, CLMRS_STATUS_CHILD_LABOUR);
  g_assert_cmpstr (b, ==, "chores_hours");
  /* Night work not hazardous. */
  g_assert_cmpint (custom_status ("parameters.night_work_hazardous", "false",
                                  "{\"age\": 8, \"night_work_7d\": true}", &c, NULL), ==,
                   CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
  g_assert_cmpstr (c, ==, "not_working");
  /* Out of school not a risk. */
  g_assert_cmpint (custom_status ("parameters.out_of_school_risk", "null",
                                  "{\"age\": 8, \"in_school\": false}", &d, NULL), ==,
                   CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
  g_assert_cmpstr (d, ==, "not_working");
  /* No birth certificate not a risk. */
  g_assert_cmpint (custom_status ("parameters.no_birth_certificate_risk", "false",
                                  "{\"birth_certificate\": \"no\"}", &e, NULL), ==,
                   CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
  g_assert_cmpstr (e, ==, "not_working");
  /* Hazardous minimum age 16 (C138 conditional): a 16-year-old felling trees
   * is not in hazardous child labour, a 15-year-old is. */
  g_assert_cmpint (custom_status ("parameters.min_age_hazardous", "16",
                                  "{\"age\": 16, \"econ_hours_7d\": 5, \"tasks_7d\": [\"tree_felling\"]}",
                                  &f, NULL), ==, CLMRS_STATUS_NOT_IN_CHILD_LABOUR);
  g_assert_cmpstr (f, ==, "permitted_work");
  g_assert_cmpint (custom_status ("parameters.min_age_hazardous", "16",
                                  "{\"age\": 15, \"econ_hours_7d\": 5, \"tasks_7d\": [\"tree_felling\"]}",
                                  &g, NULL), ==, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_cmpstr (g, ==, "hazardous_task:tree_felling");
  /* Below-light-work threshold ">" 0: any work at all. */
  g_assert_cmpint (custom_status ("parameters.below_light_work_age",
                                  "{\"hours\": 0, \"op\": \">\"}", "{\"age\": 8, \"econ_hours_7d\": 0.25}",
                                  NULL, NULL), ==, CLMRS_STATUS_CHILD_LABOUR);
}

/* A rule set adds codes of its own; the profile reader accepts them only
 * against that rule set. */
static void
test_added_codes (void)
{
  g_autofree char *step1 = mutate ("ci", "codes.tasks_hazardous[+]", "\"spraying_herbicide\"");
  g_autoptr(ClmrsRuleSet) first = load_text (step1);
  g_autoptr(JsonNode) node = profile_json ("{\"age\": 14, \"tasks_7d\": [\"spraying_herbicide\"]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsProfile) shared = NULL;
  g_autoptr(ClmrsProfile) profile = NULL;
  g_autoptr(ClmrsClassification) c = NULL;
  g_autofree char *reasons = NULL;

  shared = clmrs_profile_from_json (json_node_get_object (node), &error);
  g_assert_null (shared);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, "tasks_7d: unknown code 'spraying_herbicide'");

  g_assert_true (clmrs_rule_set_has_code (first, "tasks_hazardous", "spraying_herbicide"));
  g_assert_false (clmrs_rule_set_has_code (first, "tasks_light", "spraying_herbicide"));
  g_assert_true (clmrs_rule_set_has_code (first, "tasks_light", "planting"));
  g_assert_false (clmrs_rule_set_has_code (first, "light_work_permitted", "fermenting_beans"));
  g_assert_true (clmrs_rule_set_has_code (first, "light_work_permitted", "planting"));
  g_assert_true (clmrs_rule_set_has_code (NULL, "wfcl_signals", "trafficking"));
  g_assert_false (clmrs_rule_set_has_code (NULL, "no_such_list", "trafficking"));

  profile = clmrs_profile_from_json_full (json_node_get_object (node), first, NULL, NULL);
  g_assert_nonnull (profile);
  c = clmrs_classify (first, profile);
  reasons = reason_list (c);
  g_assert_cmpint (c->status, ==, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_cmpstr (reasons, ==, "hazardous_task:spraying_herbicide");

  /* An added light task, on the permitted list or not. */
  {
    g_autofree char *t1 = mutate ("ci", "codes.tasks_light[+]", "\"weeding_by_hand\"");
    g_autoptr(ClmrsRuleSet) off = load_text (t1);
    g_autofree char *r1 = NULL;

    g_assert_cmpint (classify_status (off, "{\"age\": 13, \"tasks_7d\": [\"weeding_by_hand\"]}", &r1, NULL),
                     ==, CLMRS_STATUS_CHILD_LABOUR);
    g_assert_cmpstr (r1, ==, "light_work_task_not_permitted:weeding_by_hand");
  }
}

/* ------------------------------------------------------------------------- */
/* Supports                                                                   */

typedef struct {
  const char *rules;
  const char *profile;
  const char *supports;           /* expected, space-separated, in order */
} SupportCase;

static void
test_supports (void)
{
  static const SupportCase cases[] = {
    { "gh", "{\"age\": 4}", "" },
    { "gh", "{\"age\": 10}", "" },
    { "gh", "{\"age\": 10, \"econ_hours_7d\": 0.5}", "" },
    { "gh", "{\"age\": 10, \"wfcl_signals\": [\"trafficking\"]}", "referral school_kit iga vsla psychosocial medical family_reunification" },
    { "ilo", "{\"age\": 16, \"wfcl_signals\": [\"forced_labour\"]}", "referral iga vsla bicycle psychosocial medical" },
    { "gh", "{\"age\": 10, \"immediate_danger\": true}", "referral awareness_targeted school_kit health_insurance iga vsla school_meals" },
    { "ilo", "{\"age\": 10, \"tasks_7d\": [\"tree_felling\"]}", "awareness_targeted labour_support school_kit iga vsla school_meals" },
    { "ilo", "{\"age\": 10, \"tasks_7d\": [\"pod_breaking_machete\"]}", "awareness_targeted tools_safe school_kit iga vsla school_meals" },
    { "ilo", "{\"age\": 10, \"tasks_7d\": [\"heavy_loads\"]}", "awareness_targeted tools_safe labour_support school_kit iga vsla school_meals" },
    { "gh", "{\"age\": 10, \"tasks_7d\": [\"tree_felling\"]}", "awareness_targeted labour_support school_kit health_insurance iga vsla school_meals" },
    { "ilo", "{\"age\": 10, \"abuse\": [\"beaten\"]}", "referral awareness_targeted school_kit iga vsla school_meals psychosocial medical" },
    { "ilo", "{\"age\": 10, \"abuse\": [\"shouted_at\"]}", "awareness_targeted school_kit iga vsla school_meals psychosocial" },
    { "ilo", "{\"age\": 10, \"in_school\": false}", "school_kit bridging_class awareness_targeted school_fees" },
    { "ci", "{\"age\": 16, \"in_school\": false}", "vocational_training awareness_targeted school_fees" },
    { "ilo", "{\"age\": 10, \"birth_certificate\": \"no\"}", "birth_certificate awareness_targeted school_meals" },
    { "ilo", "{\"age\": 16, \"econ_hours_7d\": 50}", "awareness_targeted labour_support iga vsla bicycle" },
    { "ilo", "{\"age\": 9, \"econ_hours_7d\": 3}", "awareness_targeted school_kit school_meals" },
    { "ilo", "{\"age\": 11, \"tasks_12m\": [\"bush_burning\"]}", "awareness_targeted school_meals" },
    { "ci", "{\"age\": 14, \"tasks_7d\": [\"fermenting_beans\"]}", "awareness_targeted school_kit bicycle" },
    /* issue #11, 11: 15-17 out of school: training */
    { "ilo", "{\"age\": 16, \"in_school\": false, \"econ_hours_7d\": 50}", "awareness_targeted labour_support vocational_training iga vsla cash_transfer" },
    /* in school: no training, a bicycle */
    { "gh", "{\"age\": 16, \"in_school\": true, \"tasks_7d\": [\"land_clearing\"]}", "awareness_targeted labour_support health_insurance iga vsla bicycle" },
    /* young, in school: school meals */
    { "gh", "{\"age\": 8, \"in_school\": true, \"econ_hours_7d\": 3}", "awareness_targeted school_kit school_meals" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (cases[i].rules);
      g_autoptr(ClmrsProfile) profile = profile_for (rules, cases[i].profile);
      g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
      g_auto(GStrv) supports = clmrs_suggest_supports (rules, profile, c);
      g_autofree char *joined = g_strjoinv (" ", supports);

      g_test_message ("%s %s", cases[i].rules, cases[i].profile);
      g_assert_cmpstr (joined, ==, cases[i].supports);
      for (guint s = 0; supports[s] != NULL; s++)
        g_assert_nonnull (clmrs_support_type_level (supports[s]));
    }
}

/* Referral for worst forms and immediate danger does not depend on the mapping. */
static void
test_referral_floor (void)
{
  g_autofree char *text = mutate ("ilo", "supports", "[]");
  g_autoptr(ClmrsRuleSet) rules = load_text (text);
  static const char * const profiles[] = {
    "{\"age\": 10, \"immediate_danger\": true}",
    "{\"age\": 17, \"wfcl_signals\": [\"armed_recruitment\"]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(ClmrsProfile) profile = profile_for (rules, profiles[i]);
      g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
      g_auto(GStrv) supports = clmrs_suggest_supports (rules, profile, c);
      g_autofree char *joined = g_strjoinv (" ", supports);

      g_assert_cmpstr (joined, ==, "referral");
    }
  {
    g_autoptr(ClmrsProfile) profile = profile_for (rules, "{\"age\": 10, \"tasks_7d\": [\"tree_felling\"]}");
    g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
    g_auto(GStrv) supports = clmrs_suggest_supports (rules, profile, c);

    g_assert_cmpuint (g_strv_length (supports), ==, 0);
  }
}

static void
test_support_levels (void)
{
  static const struct { const char *code, *level; } expected[] = {
    { "awareness_targeted", "child" }, { "school_kit", "child" }, { "bicycle", "child" },
    { "birth_certificate", "child" }, { "school_fees", "child" }, { "bridging_class", "child" },
    { "vocational_training", "child" }, { "health_insurance", "child" },
    { "psychosocial", "child" }, { "medical", "child" }, { "school_meals", "child" },
    { "family_reunification", "referral" },
    { "tools_safe", "household" }, { "labour_support", "household" }, { "iga", "household" },
    { "vsla", "household" }, { "cash_transfer", "household" },
    { "awareness_community", "community" }, { "infrastructure", "community" },
    { "referral", "referral" },
  };
  const char * const *all = clmrs_support_types ();

  g_assert_cmpuint (g_strv_length ((GStrv) all), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (clmrs_support_type_level (expected[i].code), ==, expected[i].level);
      g_assert_true (g_strv_contains (all, expected[i].code));
    }
  g_assert_null (clmrs_support_type_level ("SCHOOL_KIT"));
  g_assert_null (clmrs_support_type_level ("money"));
  g_assert_null (clmrs_support_type_level (""));
  g_assert_null (clmrs_support_type_level (NULL));
}

/* ------------------------------------------------------------------------- */
/* Statuses, JSON output, getters                                            */

static void
test_status_strings (void)
{
  static const struct { ClmrsStatus status; const char *name; gboolean child_labour; } all[] = {
    { CLMRS_STATUS_OUT_OF_SCOPE, "out_of_scope", FALSE },
    { CLMRS_STATUS_WORST_FORM, "worst_form", TRUE },
    { CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR, "hazardous_child_labour", TRUE },
    { CLMRS_STATUS_CHILD_LABOUR, "child_labour", TRUE },
    { CLMRS_STATUS_AT_RISK, "at_risk", FALSE },
    { CLMRS_STATUS_NOT_IN_CHILD_LABOUR, "not_in_child_labour", FALSE },
  };
  ClmrsStatus parsed;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_cmpstr (clmrs_status_to_string (all[i].status), ==, all[i].name);
      g_assert_true (clmrs_status_from_string (all[i].name, &parsed));
      g_assert_cmpint (parsed, ==, all[i].status);
      g_assert_cmpint (clmrs_status_is_child_labour (all[i].status), ==, all[i].child_labour);
    }
  g_assert_false (clmrs_status_from_string ("Child_Labour", &parsed));
  g_assert_false (clmrs_status_from_string ("", &parsed));
  g_assert_false (clmrs_status_from_string (NULL, &parsed));
  g_assert_cmpstr (clmrs_recall_to_string (CLMRS_RECALL_7D), ==, "7d");
  g_assert_cmpstr (clmrs_recall_to_string (CLMRS_RECALL_12M), ==, "12m");
  g_assert_null (clmrs_recall_to_string (CLMRS_RECALL_NONE));
}

static void
test_to_json (void)
{
  g_autoptr(ClmrsRuleSet) rules = builtin ("gh");
  g_autoptr(ClmrsProfile) profile = profile_for (rules, "{\"age\": 9, \"econ_hours_7d\": 12, "
                                                 "\"tasks_12m\": [\"heavy_loads\"]}");
  g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
  g_autoptr(JsonNode) node = clmrs_classification_to_json (c);
  g_autoptr(ClmrsProfile) outside = profile_for (rules, "{\"age\": 18}");
  g_autoptr(ClmrsClassification) oc = clmrs_classify (rules, outside);
  g_autoptr(JsonNode) onode = clmrs_classification_to_json (oc);
  JsonObject *object = json_node_get_object (node);
  JsonArray *reasons = json_object_get_array_member (object, "reasons");
  JsonObject *first, *second;

  g_assert_cmpuint (json_object_get_size (object), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "child_labour");
  g_assert_cmpstr (json_object_get_string_member (object, "rules"), ==, "gh@2026.2");
  g_assert_cmpstr (json_object_get_string_member (object, "recall"), ==, "7d");
  g_assert_cmpuint (json_array_get_length (reasons), ==, 2);
  first = json_array_get_object_element (reasons, 0);
  second = json_array_get_object_element (reasons, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "code"), ==, "below_light_work_age");
  g_assert_false (json_object_has_member (first, "item"));
  g_assert_true (json_object_has_member (first, "detail"));
  g_assert_cmpstr (json_object_get_string_member (second, "code"), ==, "hazardous_task_12m");
  g_assert_cmpstr (json_object_get_string_member (second, "item"), ==, "heavy_loads");
  g_assert_true (clmrs_classification_has_reason (c, "hazardous_task_12m", "heavy_loads"));
  g_assert_true (clmrs_classification_has_reason (c, "hazardous_task_12m", NULL));
  g_assert_false (clmrs_classification_has_reason (c, "hazardous_task_12m", "tree_felling"));
  g_assert_false (clmrs_classification_has_reason (c, "hazardous_task", NULL));

  object = json_node_get_object (onode);
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "out_of_scope");
  g_assert_true (json_object_get_null_member (object, "recall"));
}

static void
test_builtin_sets (void)
{
  static const struct { const char *name, *label_start; ClmrsRecall recall; } sets[] = {
    { "ilo", "ILO/UNICEF", CLMRS_RECALL_7D },
    { "gh", "Ghana", CLMRS_RECALL_7D },
    { "ci", "Côte d'Ivoire", CLMRS_RECALL_7D },
  };
  g_auto(GStrv) names = clmrs_rule_set_list_builtin ();
  g_autofree char *joined = g_strjoinv (" ", names);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsRuleSet) missing = NULL;

  g_assert_cmpstr (joined, ==, "ci gh ilo");
  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (sets[i].name);

      g_assert_cmpstr (clmrs_rule_set_get_id (rules), ==, sets[i].name);
      g_assert_cmpstr (clmrs_rule_set_get_version (rules), ==,
                       "2026.2");
      g_assert_true (g_str_has_prefix (clmrs_rule_set_get_label (rules), sets[i].label_start));
      g_assert_cmpint (clmrs_rule_set_get_recall (rules), ==, sets[i].recall);
    }

  missing = clmrs_rule_set_load_builtin ("fr", &error);
  g_assert_null (missing);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no built-in rule set 'fr' (built in: ci, gh, ilo)");
  g_clear_error (&error);
  missing = clmrs_rule_set_load_builtin ("../README", &error);
  g_assert_null (missing);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND);
}

static void
test_load_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-rules-XXXXXX", &error);
  g_autofree char *good = NULL, *bad = NULL, *text = NULL, *badtext = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(ClmrsRuleSet) none = NULL;

  g_assert_no_error (error);
  good = g_build_filename (dir, "national.json", NULL);
  bad = g_build_filename (dir, "broken.json", NULL);
  text = mutate ("gh", "id", "\"gh-2027\"");
  badtext = mutate ("gh", "parameters.min_age_light_work", "true");
  g_assert_true (g_file_set_contents (good, text, -1, NULL));
  g_assert_true (g_file_set_contents (bad, badtext, -1, NULL));

  rules = clmrs_rule_set_load_file (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (clmrs_rule_set_get_id (rules), ==, "gh-2027");

  none = clmrs_rule_set_load_file (bad, &error);
  g_assert_null (none);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_INVALID);
  {
    g_autofree char *want = g_strdup_printf ("%s: parameters.min_age_light_work: expected an integer, got boolean", bad);
    g_assert_cmpstr (error->message, ==, want);
  }
  g_clear_error (&error);

  g_remove (good);
  g_remove (bad);
  none = clmrs_rule_set_load_file (good, &error);
  g_assert_null (none);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, good));
  g_rmdir (dir);
}

/* ------------------------------------------------------------------------- */
/* Bad rule files: each error names the file and the JSON path                */

typedef struct {
  const char *path;               /* JSON path to change, NULL: use @value as the whole text */
  const char *value;              /* JSON text, NULL: remove */
  const char *message;            /* expected error message */
} BadRulesCase;

static const BadRulesCase bad_rules_cases[] = {
  { "parameters.min_age_light_work", "\"13\"", "gh.json: parameters.min_age_light_work: expected an integer, got string" },
  { "parameters.min_age_light_work", "13.5", "gh.json: parameters.min_age_light_work: expected an integer, got number" },
  { "parameters.min_age_light_work", "5", "gh.json: parameters.min_age_light_work: 5 is out of range (6 to 18)" },
  { "parameters.min_age_light_work", NULL, "gh.json: parameters.min_age_light_work: missing (required)" },
  { "parameters.min_age_employment", "12", "gh.json: parameters.min_age_employment: 12 is below min_age_light_work (13): ages out of order" },
  { "parameters.min_age_hazardous", "14", "gh.json: parameters.min_age_hazardous: 14 is below min_age_employment (15): ages out of order" },
  { "parameters.min_age_hazardous", "19", "gh.json: parameters.min_age_hazardous: 19 is out of range (6 to 18)" },
  { "parameters.light_work_hours.op", "\"=>\"", "gh.json: parameters.light_work_hours.op: expected \">=\" or \">\", got \"=>\"" },
  { "parameters.light_work_hours.op", NULL, "gh.json: parameters.light_work_hours.op: missing (required)" },
  { "parameters.light_work_hours.hours", "\"14\"", "gh.json: parameters.light_work_hours.hours: expected a number, got string" },
  { "parameters.light_work_hours.hours", "200", "gh.json: parameters.light_work_hours.hours: 200 is out of range (0 to 168 hours a week)" },
  { "parameters.light_work_hours.hours", "-1", "gh.json: parameters.light_work_hours.hours: -1 is out of range (0 to 168 hours a week)" },
  { "parameters.light_work_hours.min_age", "13", "gh.json: parameters.light_work_hours.min_age: unknown key (expected one of: hours, op)" },
  { "parameters.light_work_hours", "null", "gh.json: parameters.light_work_hours: expected an object, got null" },
  { "parameters.below_light_work_age.hours", "0", "gh.json: parameters.below_light_work_age.hours: \">=\" 0 would match every child; use \">\" 0" },
  { "parameters.long_hours.min_age", "4", "gh.json: parameters.long_hours.min_age: 4 is out of range (5 to 17)" },
  { "parameters.long_hours.max_age", "17", "gh.json: parameters.long_hours.max_age: unknown key (expected one of: hours, op, min_age)" },
  { "parameters.chores.min_age", "15", "gh.json: parameters.chores.max_age: 14 is below min_age (15)" },
  { "parameters.chores.max_age", "18", "gh.json: parameters.chores.max_age: 18 is out of range (5 to 17)" },
  { "parameters.chores", "true", "gh.json: parameters.chores: expected an object or null, got boolean" },
  { "parameters.night_window.start", "\"8pm\"", "gh.json: parameters.night_window.start: expected a time HH:MM, got \"8pm\"" },
  { "parameters.night_window.end", "\"24:00\"", "gh.json: parameters.night_window.end: expected a time HH:MM, got \"24:00\"" },
  { "parameters.night_window.hours", "10", "gh.json: parameters.night_window.hours: unknown key (expected one of: start, end)" },
  { "parameters.identifying_recall", "\"week\"", "gh.json: parameters.identifying_recall: expected \"7d\" or \"12m\", got \"week\"" },
  { "parameters.light_work_list_only", "\"no\"", "gh.json: parameters.light_work_list_only: expected a boolean, got string" },
  { "parameters.night_work_hazardous", "1", "gh.json: parameters.night_work_hazardous: expected a boolean, got integer" },
  { "parameters.out_of_school_risk.max_age", "5", "gh.json: parameters.out_of_school_risk.max_age: 5 is below min_age (6)" },
  { "parameters.no_birth_certificate_risk", NULL, "gh.json: parameters.no_birth_certificate_risk: missing (required)" },
  { "parameters.light_hours", "3", "gh.json: parameters.light_hours: unknown key (expected one of: min_age_light_work, min_age_employment, min_age_hazardous, below_light_work_age, light_work_hours, light_work_list_only, long_hours, chores, night_work_hazardous, night_window, identifying_recall, out_of_school_risk, no_birth_certificate_risk)" },
  { "parameters", "[]", "gh.json: parameters: expected an object, got array" },
  { "colour", "\"red\"", "gh.json: colour: unknown key (expected one of: format, id, version, label, sources, parameters, codes, supports)" },
  { "format", "2", "gh.json: format: unsupported format 2 (this build reads format 1)" },
  { "format", NULL, "gh.json: format: missing (required)" },
  { "id", "\"Ghana!\"", "gh.json: id: 'Ghana!' is not an id (lower-case letters, digits, _ and -)" },
  { "version", "1", "gh.json: version: expected a string, got integer" },
  { "label", "\"\"", "gh.json: label: must not be empty" },
  { "sources", "[]", "gh.json: sources: expected a non-empty array of strings, got an empty array" },
  { "sources[+]", "7", "gh.json: sources[16]: expected a non-empty string, got integer" },
  { "codes.tasks_hazardous[+]", "\"planting\"", "gh.json: codes.tasks_hazardous[14]: 'planting' is a shared light task and cannot be listed as a hazardous task" },
  { "codes.tasks_light[+]", "\"tree_felling\"", "gh.json: codes.tasks_light[7]: 'tree_felling' is a shared hazardous task and cannot be listed as a light task" },
  { "codes.wfcl_signals[+]", "\"beaten\"", "gh.json: codes.wfcl_signals[6]: 'beaten' is a shared abuse code and cannot be listed as a worst-form signal" },
  { "codes.tasks_hazardous[0]", "\"clearing_land\"", "gh.json: codes.tasks_hazardous: shared code 'land_clearing' is missing (a rule set may add codes, never drop or rename the shared ones)" },
  { "codes.hazard_conditions[12]", NULL, "gh.json: codes.hazard_conditions: shared code 'other_unsafe' is missing (a rule set may add codes, never drop or rename the shared ones)" },
  { "codes.tasks_hazardous[+]", "\"tree_felling\"", "gh.json: codes.tasks_hazardous[14]: duplicate code 'tree_felling'" },
  { "codes.tasks_light[+]", "\"Bad Code\"", "gh.json: codes.tasks_light[7]: 'Bad Code' is not a code (lower-case letters, digits and _, starting with a letter, at most 64)" },
  { "codes.tasks_light[0]", "5", "gh.json: codes.tasks_light[0]: expected a string, got integer" },
  { "codes.tasks_light", "\"planting\"", "gh.json: codes.tasks_light: expected an array of strings, got string" },
  { "codes.tasks_light", "[]", "gh.json: codes.tasks_light: must not be empty" },
  { "codes.abuse", NULL, "gh.json: codes.abuse: missing (required)" },
  { "codes.light_work_permitted[+]", "\"tree_felling\"", "gh.json: codes.light_work_permitted[7]: 'tree_felling' is a hazardous task, not a light task: it cannot be permitted light work" },
  { "codes.light_work_permitted[+]", "\"mystery\"", "gh.json: codes.light_work_permitted[7]: unknown task code 'mystery' (not in codes.tasks_light)" },
  { "codes.light_work_permitted[+]", "\"planting\"", "gh.json: codes.light_work_permitted[7]: duplicate code 'planting'" },
  { "codes.tasks_other", "[]", "gh.json: codes.tasks_other: unknown key (expected one of: tasks_hazardous, tasks_light, light_work_permitted, hazard_conditions, abuse, wfcl_signals, tasks_permitted_from, provisional)" },
  { "codes.tasks_permitted_from", "[\"machete_weeding\"]", "gh.json: codes.tasks_permitted_from: expected an object, got array" },
  { "codes.tasks_permitted_from", "{\"planting\": 15}", "gh.json: codes.tasks_permitted_from.planting: 'planting' is not a hazardous task (not in codes.tasks_hazardous)" },
  { "codes.tasks_permitted_from", "{\"machete_weeding\": \"15\"}", "gh.json: codes.tasks_permitted_from.machete_weeding: expected an integer, got string" },
  { "codes.tasks_permitted_from", "{\"machete_weeding\": 18}", "gh.json: codes.tasks_permitted_from.machete_weeding: 18 is out of range (13 to 17: from min_age_light_work to below min_age_hazardous)" },
  { "codes.tasks_permitted_from", "{\"machete_weeding\": 12}", "gh.json: codes.tasks_permitted_from.machete_weeding: 12 is out of range (13 to 17: from min_age_light_work to below min_age_hazardous)" },
  { "codes.provisional", "[]", "gh.json: codes.provisional: expected an object, got array" },
  { "codes.provisional", "{\"tasks\": {}}", "gh.json: codes.provisional.tasks: unknown key (expected one of: tasks_hazardous, tasks_light, light_work_permitted, hazard_conditions, abuse, wfcl_signals, tasks_permitted_from)" },
  { "codes.provisional", "{\"tasks_hazardous\": {\"planting\": \"why\"}}", "gh.json: codes.provisional.tasks_hazardous.planting: 'planting' is not in codes.tasks_hazardous" },
  { "codes.provisional", "{\"light_work_permitted\": {\"land_clearing\": \"why\"}}", "gh.json: codes.provisional.light_work_permitted.land_clearing: 'land_clearing' is not in codes.tasks_light (a light task on or off the permitted list)" },
  { "codes.provisional", "{\"tasks_permitted_from\": {\"tree_felling\": \"why\"}}", "gh.json: codes.provisional.tasks_permitted_from.tree_felling: 'tree_felling' is not in codes.tasks_permitted_from" },
  { "codes.provisional", "{\"abuse\": {\"beaten\": \"\"}}", "gh.json: codes.provisional.abuse.beaten: must not be empty" },
  { "codes.provisional", "{\"abuse\": {\"beaten\": true}}", "gh.json: codes.provisional.abuse.beaten: expected a string, got boolean" },
  { "supports", "{}", "gh.json: supports: expected an array, got object" },
  { "supports[+]", "3", "gh.json: supports[22]: expected an object, got integer" },
  { "supports[0].when.in_school", "\"yes\"", "gh.json: supports[0].when.in_school: expected true or false, got string" },
  { "supports[0].suggest[+]", "\"money\"", "gh.json: supports[0].suggest[1]: unknown support type 'money'" },
  { "supports[0].suggest", "[]", "gh.json: supports[0].suggest: must not be empty" },
  { "supports[0].when.reason[+]", "\"bad_luck\"", "gh.json: supports[0].when.reason[2]: unknown reason code 'bad_luck'" },
  { "supports[0].when.status", "[\"slavery\"]", "gh.json: supports[0].when.status[0]: unknown status 'slavery'" },
  { "supports[0].when.item", "[\"nothing\"]", "gh.json: supports[0].when.item[0]: unknown code 'nothing' (not declared in codes)" },
  { "supports[0].when.colour", "1", "gh.json: supports[0].when.colour: unknown key (expected one of: status, reason, item, min_age, max_age, in_school)" },
  { "supports[0].when.min_age", "\"ten\"", "gh.json: supports[0].when.min_age: expected an integer, got string" },
  { "supports[7].when.min_age", "15", "gh.json: supports[7].when.max_age: 14 is below min_age (15)" },
  { "supports[0].note", "false", "gh.json: supports[0].note: expected a string, got boolean" },
  { "supports[0].when", NULL, "gh.json: supports[0].when: missing (required)" },
  { NULL, "[]", "gh.json: expected a JSON object at the top, got array" },
  { NULL, "null", "gh.json: expected a JSON object at the top, got null" },
};

static void
test_bad_rules_case (gconstpointer data)
{
  const BadRulesCase *tc = data;
  g_autofree char *text = tc->path != NULL ? mutate ("gh", tc->path, tc->value) : g_strdup (tc->value);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_data (text, -1, "gh.json", &error);

  g_assert_null (rules);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, tc->message);
}

static void
test_bad_rules_not_json (void)
{
  static const char * const texts[] = { "{", "", "{\"format\": 1,}", "\xff\xfe" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_data (texts[i], -1, "ci.json", &error);

      g_assert_null (rules);
      g_assert_nonnull (error);
      if (g_error_matches (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_PARSE))
        g_assert_true (g_str_has_prefix (error->message, "ci.json: not valid JSON: "));
      else
        {
          g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_INVALID);
          g_assert_true (g_str_has_prefix (error->message, "ci.json: "));
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Bad profiles: each error names the field                                   */

typedef struct {
  const char *profile;            /* members over the base, or a whole object when @whole */
  gboolean    whole;
  const char *remove;             /* a member to remove from the base, or NULL */
  const char *field;
  const char *message;
} BadProfileCase;

static const BadProfileCase bad_profile_cases[] = {
  { "{}", TRUE, NULL, "age", "age: missing (required for a child aged 5-17)" },
  { NULL, FALSE, "age", "age", "age: missing (required for a child aged 5-17)" },
  { "{\"age\": \"9\"}", FALSE, NULL, "age", "age: expected an integer, got string" },
  { "{\"age\": 9.5}", FALSE, NULL, "age", "age: expected an integer, got number" },
  { "{\"age\": null}", FALSE, NULL, "age", "age: expected an integer, got null" },
  { "{\"age\": true}", FALSE, NULL, "age", "age: expected an integer, got boolean" },
  { "{\"age\": -1}", FALSE, NULL, "age", "age: negative age (-1)" },
  { "{\"age\": 131}", FALSE, NULL, "age", "age: 131 is not a plausible age (over 130)" },
  { "{\"age\": 99999999999}", FALSE, NULL, "age", "age: 99999999999 is not a plausible age (over 130)" },
  { "{\"age\": 9}", TRUE, NULL, "sex", "sex: missing (required for a child aged 5-17)" },
  { "{\"sex\": \"m\"}", FALSE, NULL, "sex", "sex: expected \"male\" or \"female\", got another string" },
  { "{\"sex\": 1}", FALSE, NULL, "sex", "sex: expected \"male\" or \"female\", got integer" },
  { NULL, FALSE, "in_school", "in_school", "in_school: missing (required for a child aged 5-17)" },
  { "{\"in_school\": \"yes\"}", FALSE, NULL, "in_school", "in_school: expected a boolean, got string" },
  { "{\"in_school\": 1}", FALSE, NULL, "in_school", "in_school: expected a boolean, got integer" },
  { NULL, FALSE, "econ_hours_7d", "econ_hours_7d", "econ_hours_7d: missing (required for a child aged 5-17)" },
  { "{\"econ_hours_7d\": \"12\"}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: expected a number, got string" },
  { "{\"econ_hours_7d\": null}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: expected a number, got null" },
  { "{\"econ_hours_7d\": [12]}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: expected a number, got array" },
  { "{\"econ_hours_7d\": -1}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: negative hours (-1)" },
  { "{\"econ_hours_7d\": -0.5}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: negative hours (-0.5)" },
  { "{\"econ_hours_7d\": 168.5}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: 168.5 h is more than the 168 h in a week" },
  { "{\"econ_hours_7d\": 169}", FALSE, NULL, "econ_hours_7d", "econ_hours_7d: 169 h is more than the 168 h in a week" },
  { NULL, FALSE, "chores_hours_7d", "chores_hours_7d", "chores_hours_7d: missing (required for a child aged 5-17)" },
  { "{\"chores_hours_7d\": false}", FALSE, NULL, "chores_hours_7d", "chores_hours_7d: expected a number, got boolean" },
  { "{\"chores_hours_7d\": 200}", FALSE, NULL, "chores_hours_7d", "chores_hours_7d: 200 h is more than the 168 h in a week" },
  { "{\"econ_hours_7d\": 100, \"chores_hours_7d\": 69}", FALSE, NULL, "chores_hours_7d", "chores_hours_7d: economic work and chores add up to 169 h, more than the 168 h in a week" },
  { NULL, FALSE, "night_work_7d", "night_work_7d", "night_work_7d: missing (required for a child aged 5-17)" },
  { "{\"night_work_7d\": \"no\"}", FALSE, NULL, "night_work_7d", "night_work_7d: expected a boolean, got string" },
  { NULL, FALSE, "tasks_7d", "tasks_7d", "tasks_7d: missing (required for a child aged 5-17)" },
  { "{\"tasks_7d\": \"planting\"}", FALSE, NULL, "tasks_7d", "tasks_7d: expected an array of codes, got string" },
  { "{\"tasks_7d\": null}", FALSE, NULL, "tasks_7d", "tasks_7d: expected an array of codes, got null" },
  { "{\"tasks_7d\": [\"foo\"]}", FALSE, NULL, "tasks_7d", "tasks_7d: unknown code 'foo' in rule set gh" },
  { "{\"tasks_7d\": [\"planting\", 3]}", FALSE, NULL, "tasks_7d", "tasks_7d: item 1: expected a code (string), got integer" },
  { "{\"tasks_7d\": [\"chemicals\"]}", FALSE, NULL, "tasks_7d", "tasks_7d: unknown code 'chemicals' in rule set gh" },
  { NULL, FALSE, "tasks_12m", "tasks_12m", "tasks_12m: missing (required for a child aged 5-17)" },
  { "{\"tasks_12m\": [\"Tree_Felling\"]}", FALSE, NULL, "tasks_12m", "tasks_12m: unknown code 'Tree_Felling' in rule set gh" },
  { NULL, FALSE, "hazard_conditions", "hazard_conditions", "hazard_conditions: missing (required for a child aged 5-17)" },
  { "{\"hazard_conditions\": [\"tree_felling\"]}", FALSE, NULL, "hazard_conditions", "hazard_conditions: unknown code 'tree_felling' in rule set gh" },
  { "{\"hazard_conditions\": {}}", FALSE, NULL, "hazard_conditions", "hazard_conditions: expected an array of codes, got object" },
  { NULL, FALSE, "abuse", "abuse", "abuse: missing (required for a child aged 5-17)" },
  { "{\"abuse\": [\"slapped\"]}", FALSE, NULL, "abuse", "abuse: unknown code 'slapped' in rule set gh" },
  { NULL, FALSE, "wfcl_signals", "wfcl_signals", "wfcl_signals: missing (required for a child aged 5-17)" },
  { "{\"wfcl_signals\": [\"beaten\"]}", FALSE, NULL, "wfcl_signals", "wfcl_signals: unknown code 'beaten' in rule set gh" },
  { NULL, FALSE, "immediate_danger", "immediate_danger", "immediate_danger: missing (required for a child aged 5-17)" },
  { "{\"immediate_danger\": 0}", FALSE, NULL, "immediate_danger", "immediate_danger: expected a boolean, got integer" },
  { "{\"birth_certificate\": \"maybe\"}", FALSE, NULL, "birth_certificate", "birth_certificate: expected \"yes\", \"no\" or \"in_process\", got another string" },
  { "{\"birth_certificate\": true}", FALSE, NULL, "birth_certificate", "birth_certificate: expected \"yes\", \"no\" or \"in_process\", got boolean" },
  { "{\"abuse_recall\": \"7d\"}", FALSE, NULL, "abuse_recall", "abuse_recall: expected \"12m\" or \"since_last_visit\", got another string" },
  { "{\"work_injury_12m\": \"bad\"}", FALSE, NULL, "work_injury_12m", "work_injury_12m: expected \"none\", \"not_serious\", \"stopped_short\" or \"stopped_completely\", got another string" },
  { "{\"abuse_recall\": 12}", FALSE, NULL, "abuse_recall", "abuse_recall: expected \"12m\" or \"since_last_visit\", got integer" },
};

static void
test_bad_profile_case (gconstpointer data)
{
  const BadProfileCase *tc = data;
  g_autoptr(ClmrsRuleSet) rules = builtin ("gh");
  g_autoptr(JsonNode) node = tc->whole ? parse_json (tc->profile) : profile_json (tc->profile);
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(ClmrsProfile) profile = NULL;

  if (tc->remove != NULL)
    json_object_remove_member (json_node_get_object (node), tc->remove);
  profile = clmrs_profile_from_json_full (json_node_get_object (node), rules, &field, &error);
  g_assert_null (profile);
  g_assert_error (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, tc->message);
  g_assert_cmpstr (field, ==, tc->field);
}

/* Limits that are accepted: 0 and 168 hours, integral numbers for age,
 * repeated codes, extra members, out-of-scope ages with nothing else. */
static void
test_profile_accepts (void)
{
  static const struct { const char *json; gboolean whole; int age; double econ; guint tasks; } ok[] = {
    { "{\"econ_hours_7d\": 168}", FALSE, 10, 168, 0 },
    { "{\"age\": 12.0, \"econ_hours_7d\": 0}", FALSE, 12, 0, 0 },
    { "{\"tasks_7d\": [\"planting\", \"planting\"]}", FALSE, 10, 0, 1 },
    { "{\"child_id\": \"x\", \"name\": \"kept out of the rules\"}", FALSE, 10, 0, 0 },
    { "{\"age\": 4}", TRUE, 4, 0, 0 },
    { "{\"age\": 18, \"sex\": 5, \"econ_hours_7d\": \"many\"}", TRUE, 18, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(JsonNode) node = ok[i].whole ? parse_json (ok[i].json) : profile_json (ok[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsProfile) profile = clmrs_profile_from_json (json_node_get_object (node), &error);

      g_assert_no_error (error);
      g_assert_cmpint (profile->age, ==, ok[i].age);
      g_assert_cmpint (profile->in_scope, ==, ok[i].age >= 5 && ok[i].age <= 17);
      if (profile->in_scope)
        {
          g_assert_cmpfloat (profile->econ_hours_7d, ==, ok[i].econ);
          g_assert_cmpuint (g_strv_length (profile->tasks_7d), ==, ok[i].tasks);
          g_assert_cmpstr (profile->sex, ==, "female");
        }
    }
}

/* A result that rests only on a provisional entry says so; one that also
 * rests on a settled rule does not. */
static void
test_provisional (void)
{
  static const struct { const char *rules, *profile; gboolean provisional; const char *json_has; } cases[] = {
    { "ci", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"fermenting_beans\"]}", TRUE,
      "\"provisional\":true" },
    { "ci", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"fetching_water\", \"fermenting_beans\"]}", TRUE, NULL },
    /* the hours over the cap decide too: not provisional, though one reason is */
    { "ci", "{\"age\": 15, \"econ_hours_7d\": 20, \"tasks_7d\": [\"fermenting_beans\"]}", FALSE, NULL },
    /* a hazardous task decides: the provisional light-work reason is of a lower tier */
    { "ci", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"fermenting_beans\", \"land_clearing\"]}", FALSE, NULL },
    { "ci", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"planting\"]}", FALSE, NULL },
    { "gh", "{\"age\": 16, \"econ_hours_7d\": 2, \"tasks_7d\": [\"machete_weeding\"]}", TRUE, NULL },
    { "gh", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"machete_weeding\"]}", FALSE, NULL },
    { "gh", "{\"age\": 16, \"econ_hours_7d\": 2, \"tasks_7d\": [\"planting\"]}", FALSE, NULL },
    { "ilo", "{\"age\": 14, \"econ_hours_7d\": 2, \"tasks_7d\": [\"fermenting_beans\"]}", FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsRuleSet) rules = builtin (cases[i].rules);
      g_autoptr(ClmrsProfile) profile = profile_for (rules, cases[i].profile);
      g_autoptr(ClmrsClassification) c = clmrs_classify (rules, profile);
      g_autoptr(JsonNode) json = clmrs_classification_to_json (c);
      g_autofree char *text = json_to_string (json, FALSE);
      JsonObject *object = json_node_get_object (json);

      g_test_message ("%s %s: %s", cases[i].rules, cases[i].profile, text);
      g_assert_cmpint (c->provisional, ==, cases[i].provisional);
      g_assert_cmpint (json_object_get_boolean_member_with_default (object, "provisional", FALSE), ==,
                       cases[i].provisional);
      g_assert_cmpint (strstr (first_detail (c), "provisional: ") != NULL, ==,
                       ((ClmrsReason *) g_ptr_array_index (c->reasons, 0))->provisional);
      if (cases[i].provisional)
        {
          /* every deciding reason says so, in JSON and in words */
          for (guint r = 0; r < c->reasons->len; r++)
            {
              ClmrsReason *reason = g_ptr_array_index (c->reasons, r);
              if (g_str_equal (reason->code, "hazardous_task_12m") || g_str_equal (reason->code, "out_of_school"))
                continue;
              g_assert_true (reason->provisional);
              g_assert_nonnull (strstr (reason->detail, "; provisional: "));
            }
        }
      if (cases[i].json_has != NULL)
        g_assert_nonnull (strstr (text, cases[i].json_has));
    }
}

/* A rule file without the optional keys (written before them) loads, and
 * then a hazardous task is hazardous at every age and nothing is provisional. */
static void
test_old_rule_file (void)
{
  g_autofree char *gh_old = mutate ("gh", "codes.tasks_permitted_from", NULL);
  g_autoptr(JsonNode) root = parse_json (gh_old);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(ClmrsProfile) profile = NULL;
  g_autoptr(ClmrsClassification) c = NULL;

  json_object_remove_member (json_object_get_object_member (json_node_get_object (root), "codes"),
                             "provisional");
  g_clear_pointer (&gh_old, g_free);
  gh_old = json_to_string (root, TRUE);
  g_assert_null (strstr (gh_old, "provisional\""));
  rules = clmrs_rule_set_load_data (gh_old, -1, "gh-2026.1.json", &error);
  g_assert_no_error (error);
  profile = profile_for (rules, "{\"age\": 16, \"econ_hours_7d\": 2, \"tasks_7d\": [\"machete_weeding\"]}");
  c = clmrs_classify (rules, profile);
  g_assert_cmpint (c->status, ==, CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_false (c->provisional);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/classify/%s", classify_cases[i].name);
      g_test_add_data_func (path, &classify_cases[i], test_classify_case);
    }
  g_test_add_func ("/rules/classify/age-sweep", test_age_sweep);
  g_test_add_func ("/rules/classify/every-hazardous-task", test_every_hazardous_task);
  g_test_add_func ("/rules/classify/every-light-task", test_every_light_task);
  g_test_add_func ("/rules/classify/every-condition-abuse-signal", test_every_condition_abuse_signal);
  g_test_add_func ("/rules/classify/night-work-every-age", test_night_work_every_age);
  g_test_add_func ("/rules/classify/details", test_details);
  g_test_add_func ("/rules/classify/recall-12m-identifies", test_recall_12m_identifies);
  g_test_add_func ("/rules/classify/optional-parameters", test_optional_parameters);
  g_test_add_func ("/rules/classify/added-codes", test_added_codes);
  g_test_add_func ("/rules/classify/provisional", test_provisional);
  g_test_add_func ("/rules/load/without-optional-codes", test_old_rule_file);
  g_test_add_func ("/rules/supports/mapping", test_supports);
  g_test_add_func ("/rules/supports/referral-floor", test_referral_floor);
  g_test_add_func ("/rules/supports/levels", test_support_levels);
  g_test_add_func ("/rules/status-strings", test_status_strings);
  g_test_add_func ("/rules/to-json", test_to_json);
  g_test_add_func ("/rules/load/builtin", test_builtin_sets);
  g_test_add_func ("/rules/load/file", test_load_file);
  g_test_add_func ("/rules/load/not-json", test_bad_rules_not_json);
  for (guint i = 0; i < G_N_ELEMENTS (bad_rules_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/load/bad/%02u-%s", i,
                                               bad_rules_cases[i].path != NULL
                                               ? bad_rules_cases[i].path : "whole");
      g_test_add_data_func (path, &bad_rules_cases[i], test_bad_rules_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_profile_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/profile/bad/%02u-%s", i,
                                               bad_profile_cases[i].field);
      g_test_add_data_func (path, &bad_profile_cases[i], test_bad_profile_case);
    }
  g_test_add_func ("/rules/profile/accepts", test_profile_accepts);

  return g_test_run ();
}
