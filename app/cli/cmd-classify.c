/* cmd-classify.c: `clmrs classify`, child profiles (JSON lines) in, classifications out. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"
#include "record.h"
#include "rules.h"

#include <stdio.h>
#include <string.h>

static const char classify_description[] =
  "Reads one child profile per line on stdin (a JSON object: age, sex, in_school,\n"
  "econ_hours_7d, chores_hours_7d, night_work_7d, tasks_7d, tasks_12m,\n"
  "hazard_conditions, abuse, wfcl_signals, immediate_danger, optionally\n"
  "birth_certificate) and writes one result per line on stdout, in the same order:\n"
  "  {\"status\":...,\"reasons\":[{\"code\":...,\"detail\":...}],\"rules\":\"ID@VERSION\",\n"
  "   \"recall\":\"7d\"|\"12m\"|null,\"supports\":[...]}\n"
  "Blank lines are skipped (no output line).\n"
  "\n"
  "A bad line (not JSON, not an object, a missing or ill-typed field, an unknown\n"
  "code) gives in its place the line\n"
  "  {\"error\":{\"line\":N,\"field\":\"NAME\"|null,\"message\":\"...\"}}\n"
  "where N counts every input line from 1 and field is null when the line as a\n"
  "whole is wrong; the same message goes to stderr, and processing continues.\n"
  "\n"
  "--rules NAME|FILE: a built-in rule set (ilo, gh, ci) or a rule-set JSON file\n"
  "(a path containing '/' or ending in .json); see docs/rules-format.md.\n"
  "\n"
  "Exit status: 0 every line classified; 3 some line was bad (each reported);\n"
  "2 usage: bad option, no --rules, unknown or invalid rule set;\n"
  "1 I/O: the rule file or stdin cannot be read, stdout cannot be written.";

static gboolean
looks_like_path (const char *value)
{
  return strchr (value, '/') != NULL || g_str_has_suffix (value, ".json");
}

/* Classifies one non-blank line; FALSE when it was bad (reported). */
static gboolean
classify_line (const char *text,
               gsize       length,
               guint64     line,
               gpointer    user_data)
{
  const ClmrsRuleSet *rules = user_data;
  FILE *out = stdout;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsProfile) profile = NULL;
  g_autoptr(ClmrsClassification) classification = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_auto(GStrv) supports = NULL;
  g_autofree char *field = NULL;
  g_autofree char *output = NULL;
  JsonNode *root;
  JsonArray *array;

  if (!g_utf8_validate (text, (gssize) length, NULL))
    {
      clmrs_cli_print_error_line (out, "classify", line, NULL, "not valid UTF-8");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    {
      g_autofree char *why = clmrs_json_error_describe (error);
      g_autofree char *message = g_strdup_printf ("not valid JSON: %s", why);
      clmrs_cli_print_error_line (out, "classify", line, NULL, message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      clmrs_cli_print_error_line (out, "classify", line, NULL, "expected a JSON object (one child profile)");
      return FALSE;
    }
  profile = clmrs_profile_from_json_full (json_node_get_object (root), rules, &field, &error);
  if (profile == NULL)
    {
      clmrs_cli_print_error_line (out, "classify", line, field, error->message);
      return FALSE;
    }

  classification = clmrs_classify (rules, profile);
  supports = clmrs_suggest_supports (rules, profile, classification);
  result = clmrs_classification_to_json (classification);
  array = json_array_new ();
  for (guint i = 0; supports[i] != NULL; i++)
    json_array_add_string_element (array, supports[i]);
  json_object_set_array_member (json_node_get_object (result), "supports", array);

  generator = json_generator_new ();
  json_generator_set_root (generator, result);
  output = json_generator_to_data (generator, NULL);
  fprintf (out, "%s\n", output);
  return TRUE;
}

int
clmrs_cmd_classify (ClmrsCli  *cli,
                    int        argc,
                    char     **argv)
{
  g_autofree char *rules_arg = NULL;
  GOptionEntry entries[] = {
    { "rules", 'r', 0, G_OPTION_ARG_STRING, &rules_arg,
      "the rule set: ilo, gh, ci or a JSON file", "NAME|FILE" },
    { NULL }
  };
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(GError) error = NULL;
  gboolean any_bad = FALSE;
  int status;

  if (!clmrs_cli_parse ("classify", "--rules NAME|FILE", classify_description,
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "classify: unexpected argument '%s' "
                           "(profiles are read from stdin)", argv[1]);
  if (rules_arg == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "classify: --rules NAME|FILE is required "
                           "(ilo, gh, ci or a rule-set file)");

  if (looks_like_path (rules_arg))
    rules = clmrs_rule_set_load_file (rules_arg, &error);
  else
    rules = clmrs_rule_set_load_builtin (rules_arg, &error);
  if (rules == NULL)
    return clmrs_cli_fail (g_error_matches (error, CLMRS_RULES_ERROR, CLMRS_RULES_ERROR_NOT_FOUND)
                           && looks_like_path (rules_arg)
                           ? CLMRS_EXIT_FAILURE : CLMRS_EXIT_USAGE,
                           "classify: %s", error->message);

  status = clmrs_cli_each_line ("classify", classify_line, rules, &any_bad);
  if (status != CLMRS_EXIT_OK)
    return status;
  if (fflush (stdout) != 0 || ferror (stdout))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "classify: cannot write stdout");
  return any_bad ? CLMRS_EXIT_DATA : CLMRS_EXIT_OK;
}
