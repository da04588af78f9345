/* cmd-visit.c: `clmrs visit`: one visit from answers in a JSON file, through the form and rules new visits use. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "catalog.h"
#include "draft.h"
#include "people.h"
#include "visit.h"

#include <stdio.h>

static const char visit_help[] =
  "Fills the newest version of FORM on this device (built in, or published by\n"
  "the server and pulled: see `clmrs forms list`) with the answers in\n"
  "ANSWERS (JSON in the shape of a visit's answers: element names as keys,\n"
  "repeats as arrays), as a visit by --facilitator, then finalises it\n"
  "with the newest rule set of the community's country: the records are\n"
  "queued for the next sync.  For scripted visits, pilots and tests; the\n"
  "field app is how facilitators visit.\n"
  "\n"
  "Exit status: 0 finalised, 3 answers the form refuses (each named),\n"
  "1 the database or a file could not be used, 2 usage.";

static char *
single_community (ClmrsStore  *store,
                  char       **country,
                  const char  *wanted,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT id, coalesce (country, '') FROM communities WHERE ?1 IS NULL OR id = ?1 ORDER BY rowid LIMIT 2", error);
  g_autofree char *id = NULL;
  ClmrsStep step;
  int rows = 0;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, wanted, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      if (rows++ == 0)
        {
          id = clmrs_store_column_dup (stmt, 0);
          *country = clmrs_store_column_dup (stmt, 1);
        }
    }
  if (step == CLMRS_STEP_ERROR)
    {
      g_clear_pointer (country, g_free);
      return NULL;
    }
  if (rows == 1)
    return g_steal_pointer (&id);
  g_clear_pointer (country, g_free);
  if (wanted != NULL)
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND, "no community %s on this device", wanted);
  else if (rows == 0)
    g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                         "this device has no community: a visit needs one");
  else
    g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                         "this device has several communities: say which with --community ID");
  return NULL;
}

int
clmrs_cmd_visit (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autofree char *form_id = NULL;
  g_autofree char *facilitator = NULL;
  g_autofree char *community_arg = NULL;
  g_autofree char *household = NULL;
  g_autofree char *child = NULL;
  g_autofree char *date = NULL;
  GOptionEntry entries[] = {
    { "form", 0, 0, G_OPTION_ARG_STRING, &form_id, "the form's id (household_visit, follow_up_visit, ...)", "ID" },
    { "facilitator", 0, 0, G_OPTION_ARG_STRING, &facilitator, "who visits (a person's id)", "ID" },
    { "community", 0, 0, G_OPTION_ARG_STRING, &community_arg, "the community (default: the device's only one)", "ID" },
    { "household", 0, 0, G_OPTION_ARG_STRING, &household, "a known household (a revisit)", "ID" },
    { "child", 0, 0, G_OPTION_ARG_STRING, &child, "the child of a follow-up", "ID" },
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, "the day of the visit (default: today)", "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(ClmrsPerson) person = NULL;
  g_autoptr(ClmrsDraft) draft = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autofree char *community = NULL;
  g_autofree char *country = NULL;
  ClmrsDraftRequest request = { 0 };

  if (!clmrs_cli_parse ("visit", "--form ID --facilitator ID ANSWERS.json", visit_help, entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (form_id == NULL || facilitator == NULL || argc != 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "visit: give --form ID, --facilitator ID and one ANSWERS.json");
  if (!json_parser_load_from_file (parser, argv[1], &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s: %s", argv[1], error->message);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "%s: the answers are a JSON object", argv[1]);

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  community = single_community (store, &country, community_arg, &error);
  if (community == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "visit: %s", error->message);
  person = clmrs_people_lookup (store, facilitator, &error);
  if (person == NULL)
    return clmrs_cli_fail (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND)
                           ? CLMRS_EXIT_DATA : CLMRS_EXIT_FAILURE, "visit: %s", error->message);
  rules = clmrs_catalog_rules_for_country (store, country, &error);
  if (rules == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "visit: %s", error->message);

  /* the draft, prefilled as the app's are, then the file's answers */
  request.form_id = form_id;
  request.facilitator_id = facilitator;
  request.facilitator_name = person->name;
  request.facilitator_sex = person->sex;
  request.community_id = community;
  request.household_id = household;
  request.child_id = child;
  request.date = date;
  draft = clmrs_draft_start (store, &request, &error);
  if (draft == NULL)
    return clmrs_cli_fail (g_error_matches (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND)
                           ? CLMRS_EXIT_DATA : CLMRS_EXIT_FAILURE, "visit: %s", error->message);
  if (!clmrs_form_session_load_json (draft->session, json_parser_get_root (parser), &error))
    {
      clmrs_store_draft_discard (store, draft->visit_id, NULL);
      return clmrs_cli_fail (CLMRS_EXIT_DATA, "%s: %s", argv[1], error->message);
    }
  values = clmrs_form_session_list_values (draft->session);
  if (!clmrs_store_draft_save_all (store, draft->visit_id, values, &error) ||
      !clmrs_visit_finalise (store, draft->visit_id, draft->session, rules, date, &result, &error))
    {
      int status = error->domain == CLMRS_VISIT_ERROR ? CLMRS_EXIT_DATA : CLMRS_EXIT_FAILURE;

      clmrs_store_draft_discard (store, draft->visit_id, NULL);
      return clmrs_cli_fail (status, "visit: %s", error->message);
    }
  printf ("visit %s finalised with form %s@%s and rules %s@%s: %u record%s queued\n", draft->visit_id,
          clmrs_form_get_id (draft->form), clmrs_form_get_version (draft->form), clmrs_rule_set_get_id (rules),
          clmrs_rule_set_get_version (rules), result->records_queued, result->records_queued == 1 ? "" : "s");
  for (guint i = 0; i < result->children->len; i++)
    {
      const ClmrsChildOutcome *c = g_ptr_array_index (result->children, i);

      printf ("  %s (%d): %s\n", c->name ? c->name : c->child_id, c->age, clmrs_status_to_string (c->status));
    }
  return CLMRS_EXIT_OK;
}
