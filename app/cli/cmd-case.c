/* cmd-case.c: `clmrs case`, one child's history (JSON lines) in, the case and its reasons out. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"
#include "cases.h"
#include "record.h"
#include "util.h"

#include <string.h>

static const char case_description[] =
  "Reads one child's history on stdin, one record per line (a JSON object with a\n"
  "\"type\"), and writes the child's case on that day as one JSON object: the\n"
  "status and its flags, dates and counts, \"reasons\" (one sentence per step\n"
  "that decided it, in time order), \"today\" and the \"case_rules\" used.\n"
  "\n"
  "  {\"type\":\"child\",\"birth_date\":\"YYYY-MM-DD\"|null}\n"
  "  {\"type\":\"assessment\",\"date\":D,\"kind\":\"household\"|\"farm\",\"status\":CODE,\n"
  "   \"immediate_danger\":bool,\"age\":int,\"in_school\":bool}\n"
  "  {\"type\":\"follow_up\",\"date\":D,\"child_status\":\"present\"|\"moved\"|\"lost\",\n"
  "   \"status\":CODE,\"hazardous_task_since_last_visit\":bool,\"in_school\":bool,\n"
  "   \"alternative\":\"school\"|\"training\"|\"permitted_work\"|\"none\",\n"
  "   \"immediate_danger\":bool,\"age\":int}\n"
  "  {\"type\":\"support\",\"date\":D,\"support_type\":CODE,\n"
  "   \"state\":\"delivered\"|\"planned\"|\"declined\"}\n"
  "  {\"type\":\"closure\",\"date\":D,\"reason\":\"deceased\"|\"moved_out\"|\n"
  "   \"consent_withdrawn\"|\"aged_out\"|\"duplicate\",\"merged_into\":ID}\n"
  "\n"
  "date and, for an assessment and a follow-up that found the child, status\n"
  "(a classification code of docs/rules-format.md) are required; the other\n"
  "members may be left out. A follow-up without\n"
  "hazardous_task_since_last_visit is one whose recall was not asked.\n"
  "docs/cases-and-indicators.md gives the rules.\n"
  "\n"
  "A bad line gives {\"error\":{\"line\":N,\"field\":NAME|null,\"message\":...}} in\n"
  "place of the case (every bad line is reported, stderr too) and exit status 3.\n"
  "\n"
  "--today YYYY-MM-DD: the day to evaluate on (default: today).\n"
  "--case-rules FILE: a case-rules JSON file over the programme's\n"
  "(assets/programme/case_rules.json).\n"
  "\n"
  "Exit status: 0 the case was printed; 3 some line was bad; 2 usage: bad\n"
  "option, bad --today or case rules; 1 I/O: a file or stdin cannot be read.";

typedef struct {
  GStringChunk *strings;
  char         *birth_date;
  GArray       *visits;        /* ClmrsCaseVisit */
  GArray       *supports;      /* ClmrsCaseSupport */
  GArray       *closures;      /* ClmrsCaseClosure */
  gboolean      seen_child;
} History;

/* The line being read, and the member that was wrong. */
typedef struct {
  JsonObject *object;
  History    *history;
  const char *field;
  char       *message;
} Line;

static gboolean G_GNUC_PRINTF (3, 4)
line_fail (Line       *l,
           const char *field,
           const char *format,
           ...)
{
  va_list args;

  l->field = field;
  va_start (args, format);
  l->message = g_strdup_vprintf (format, args);
  va_end (args);
  return FALSE;
}

/* Only the members @allowed: a misspelt one would silently change the case. */
static gboolean
check_members (Line               *l,
               const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (l->object);

  for (GList *m = members; m != NULL; m = m->next)
    if (!g_strv_contains (allowed, m->data))
      return line_fail (l, m->data, "unknown member “%s” for this type", (const char *) m->data);
  return TRUE;
}

/* A string member: *@out is NULL when absent or null (an error when
 * @required); interned. */
static gboolean
get_string (Line        *l,
            const char  *name,
            gboolean     required,
            const char **out)
{
  JsonNode *node = json_object_get_member (l->object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return !required || line_fail (l, name, "%s is required", name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return line_fail (l, name, "%s must be a string", name);
  *out = g_string_chunk_insert_const (l->history->strings, json_node_get_string (node));
  return TRUE;
}

static gboolean
get_date (Line        *l,
          const char  *name,
          gboolean     required,
          const char **out)
{
  GDate date;

  if (!get_string (l, name, required, out))
    return FALSE;
  if (*out != NULL && (!clmrs_date_parse (*out, &date) || strlen (*out) != 10))
    return line_fail (l, name, "%s “%s” is not a YYYY-MM-DD date", name, *out);
  return TRUE;
}

/* A boolean member: -1 when absent or null. */
static gboolean
get_bool (Line       *l,
          const char *name,
          int        *out)
{
  JsonNode *node = json_object_get_member (l->object, name);

  *out = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return line_fail (l, name, "%s must be true or false", name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_age (Line *l,
         int  *out)
{
  JsonNode *node = json_object_get_member (l->object, "age");

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > 30)
    return line_fail (l, "age", "age must be a whole number of years from 0 to 30");
  *out = (int) json_node_get_int (node);
  return TRUE;
}

/* An assessment or a follow-up. */
static gboolean
read_visit (Line     *l,
            gboolean  follow_up)
{
  static const char * const assessment_members[] = {
    "type", "date", "kind", "status", "immediate_danger", "age", "in_school", NULL
  };
  static const char * const follow_up_members[] = {
    "type", "date", "child_status", "status", "hazardous_task_since_last_visit", "in_school",
    "alternative", "immediate_danger", "age", NULL
  };
  ClmrsCaseVisit v = { 0 };
  const char *alternative = NULL;
  int danger, in_school, hazard;
  gboolean present = TRUE;

  if (!check_members (l, follow_up ? follow_up_members : assessment_members) ||
      !get_date (l, "date", TRUE, &v.date) ||
      !get_bool (l, "immediate_danger", &danger) ||
      !get_bool (l, "in_school", &in_school) ||
      !get_age (l, &v.age))
    return FALSE;
  if (follow_up)
    {
      v.kind = "follow_up";
      if (!get_string (l, "child_status", FALSE, &v.child_status) ||
          !get_bool (l, "hazardous_task_since_last_visit", &hazard) ||
          !get_string (l, "alternative", FALSE, &alternative))
        return FALSE;
      if (v.child_status != NULL && strcmp (v.child_status, "present") != 0 &&
          strcmp (v.child_status, "moved") != 0 && strcmp (v.child_status, "lost") != 0)
        return line_fail (l, "child_status", "child_status “%s” is not present, moved or lost",
                          v.child_status);
      present = v.child_status == NULL || strcmp (v.child_status, "present") == 0;
      v.hazard_since_last = hazard < 0 ? CLMRS_HAZARD_SINCE_LAST_UNKNOWN
                            : hazard ? CLMRS_HAZARD_SINCE_LAST_FOUND : CLMRS_HAZARD_SINCE_LAST_NONE;
      if (alternative != NULL &&
          (!clmrs_alternative_from_string (alternative, &v.alternative) ||
           v.alternative == CLMRS_ALTERNATIVE_UNKNOWN))
        return line_fail (l, "alternative", "alternative “%s” is not school, training,"
                          " permitted_work or none", alternative);
    }
  else
    {
      if (!get_string (l, "kind", FALSE, &v.kind))
        return FALSE;
      if (v.kind == NULL)
        v.kind = "household";
      else if (strcmp (v.kind, "household") != 0 && strcmp (v.kind, "farm") != 0)
        return line_fail (l, "kind", "kind “%s” is not household or farm (a follow-up has"
                          " its own type)", v.kind);
    }
  if (!get_string (l, "status", present, &v.status))
    return FALSE;
  if (!present && v.status != NULL)
    return line_fail (l, "status", "a follow-up that did not find the child has no status");
  v.immediate_danger = danger > 0;
  v.in_school = in_school < 0 ? NULL : in_school ? "yes" : "no";
  g_array_append_val (l->history->visits, v);
  return TRUE;
}

static gboolean
read_support (Line *l)
{
  static const char * const members[] = { "type", "date", "support_type", "state", NULL };
  ClmrsCaseSupport s = { 0 };

  if (!check_members (l, members) ||
      !get_date (l, "date", TRUE, &s.date) ||
      !get_string (l, "support_type", TRUE, &s.type) ||
      !get_string (l, "state", FALSE, &s.state))
    return FALSE;
  if (s.state != NULL && strcmp (s.state, "delivered") != 0 &&
      strcmp (s.state, "planned") != 0 && strcmp (s.state, "declined") != 0)
    return line_fail (l, "state", "state “%s” is not planned, delivered or declined", s.state);
  g_array_append_val (l->history->supports, s);
  return TRUE;
}

static gboolean
read_closure (Line *l)
{
  static const char * const members[] = { "type", "date", "reason", "merged_into", NULL };
  ClmrsCaseClosure c = { 0 };
  ClmrsClosureReason reason;
  const char *merged_into;

  if (!check_members (l, members) ||
      !get_date (l, "date", TRUE, &c.date) ||
      !get_string (l, "reason", TRUE, &c.reason) ||
      !get_string (l, "merged_into", FALSE, &merged_into))
    return FALSE;
  if (!clmrs_closure_reason_from_string (c.reason, &reason))
    return line_fail (l, "reason", "reason “%s” is not deceased, moved_out, consent_withdrawn,"
                      " aged_out or duplicate", c.reason);
  if ((reason == CLMRS_CLOSURE_DUPLICATE) != (merged_into != NULL))
    return line_fail (l, "merged_into", reason == CLMRS_CLOSURE_DUPLICATE
                      ? "a duplicate names the child it was merged into (merged_into)"
                      : "merged_into is only for a duplicate");
  g_array_append_val (l->history->closures, c);
  return TRUE;
}

static gboolean
read_child (Line *l)
{
  static const char * const members[] = { "type", "birth_date", NULL };
  const char *birth_date;

  if (l->history->seen_child)
    return line_fail (l, NULL, "a second child line: one history is one child");
  if (!check_members (l, members) || !get_date (l, "birth_date", FALSE, &birth_date))
    return FALSE;
  l->history->seen_child = TRUE;
  l->history->birth_date = (char *) birth_date;
  return TRUE;
}

static gboolean
read_line (const char *text,
           gsize       length,
           guint64     line,
           gpointer    user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Line l = { NULL, user_data, NULL, NULL };
  JsonNode *root, *type_node;
  const char *type;
  gboolean ok;

  if (!g_utf8_validate (text, (gssize) length, NULL))
    {
      clmrs_cli_print_error_line (stdout, "case", line, NULL, "not valid UTF-8");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    {
      g_autofree char *why = clmrs_json_error_describe (error);
      g_autofree char *message = g_strdup_printf ("not valid JSON: %s", why);

      clmrs_cli_print_error_line (stdout, "case", line, NULL, message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      clmrs_cli_print_error_line (stdout, "case", line, NULL, "expected a JSON object (one record)");
      return FALSE;
    }
  l.object = json_node_get_object (root);
  type_node = json_object_get_member (l.object, "type");
  type = type_node != NULL && JSON_NODE_HOLDS_VALUE (type_node) &&
         json_node_get_value_type (type_node) == G_TYPE_STRING ? json_node_get_string (type_node) : NULL;
  if (g_strcmp0 (type, "assessment") == 0)
    ok = read_visit (&l, FALSE);
  else if (g_strcmp0 (type, "follow_up") == 0)
    ok = read_visit (&l, TRUE);
  else if (g_strcmp0 (type, "support") == 0)
    ok = read_support (&l);
  else if (g_strcmp0 (type, "closure") == 0)
    ok = read_closure (&l);
  else if (g_strcmp0 (type, "child") == 0)
    ok = read_child (&l);
  else
    ok = line_fail (&l, "type", "type must be child, assessment, follow_up, support or closure");
  if (!ok)
    {
      clmrs_cli_print_error_line (stdout, "case", line, l.field, l.message);
      g_free (l.message);
    }
  return ok;
}

int
clmrs_cmd_case (ClmrsCli  *cli,
                int        argc,
                char     **argv)
{
  g_autofree char *today_arg = NULL;
  g_autofree char *rules_arg = NULL;
  GOptionEntry entries[] = {
    { "today", 't', 0, G_OPTION_ARG_STRING, &today_arg,
      "the day to evaluate on (default: today)", "YYYY-MM-DD" },
    { "case-rules", 'c', 0, G_OPTION_ARG_FILENAME, &rules_arg,
      "a case-rules JSON file", "FILE" },
    { NULL }
  };
  History history = { 0 };
  ClmrsCaseConfig config;
  ClmrsCaseInput input;
  ClmrsCase kase;
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *output = NULL;
  g_autofree char *today_text = NULL;
  JsonArray *array;
  gboolean any_bad = FALSE;
  int status;

  if (!clmrs_cli_parse ("case", "[--today YYYY-MM-DD] [--case-rules FILE]", case_description,
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "case: unexpected argument '%s' "
                           "(the history is read from stdin)", argv[1]);
  if (today_arg != NULL)
    {
      if (!clmrs_date_parse (today_arg, &today) || strlen (today_arg) != 10)
        return clmrs_cli_fail (CLMRS_EXIT_USAGE, "case: --today '%s' is not a YYYY-MM-DD date",
                               today_arg);
    }
  else
    clmrs_date_today (&today);

  if (!clmrs_case_config_load_programme (&config, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "case: %s", error->message);
  if (rules_arg != NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_file (parser, rules_arg, &error))
        return clmrs_cli_fail (error->domain == G_FILE_ERROR ? CLMRS_EXIT_FAILURE : CLMRS_EXIT_USAGE,
                               "case: %s: %s", rules_arg, error->message);
      if (!clmrs_case_config_from_json (&config, json_parser_get_root (parser), &error))
        return clmrs_cli_fail (CLMRS_EXIT_USAGE, "case: %s: %s", rules_arg, error->message);
    }

  history.strings = g_string_chunk_new (4096);
  history.visits = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseVisit));
  history.supports = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseSupport));
  history.closures = g_array_new (FALSE, TRUE, sizeof (ClmrsCaseClosure));
  status = clmrs_cli_each_line ("case", read_line, &history, &any_bad);
  if (status != CLMRS_EXIT_OK || any_bad)
    goto out;

  input = (ClmrsCaseInput) {
    history.birth_date,
    (ClmrsCaseVisit *) history.visits->data, history.visits->len,
    (ClmrsCaseSupport *) history.supports->data, history.supports->len,
    (ClmrsCaseClosure *) history.closures->data, history.closures->len,
  };
  /* every record was checked above; what is left is a rule of cases.c */
  if (!clmrs_case_evaluate_explained (&input, &config, &today, &kase, reasons, &error))
    {
      clmrs_cli_print_error_line (stdout, "case", 0, NULL, error->message);
      any_bad = TRUE;
      goto out;
    }

  result = clmrs_case_to_json (&kase);
  today_text = clmrs_date_format (&today);
  json_object_set_string_member (json_node_get_object (result), "today", today_text);
  array = json_array_new ();
  for (guint i = 0; i < reasons->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (reasons, i));
  json_object_set_array_member (json_node_get_object (result), "reasons", array);
  json_object_set_member (json_node_get_object (result), "case_rules",
                          clmrs_case_config_to_json (&config));
  generator = json_generator_new ();
  json_generator_set_root (generator, result);
  output = json_generator_to_data (generator, NULL);
  printf ("%s\n", output);

out:
  g_array_unref (history.visits);
  g_array_unref (history.supports);
  g_array_unref (history.closures);
  g_string_chunk_free (history.strings);
  if (status != CLMRS_EXIT_OK)
    return status;
  if (fflush (stdout) != 0 || ferror (stdout))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "case: cannot write stdout");
  return any_bad ? CLMRS_EXIT_DATA : CLMRS_EXIT_OK;
}
