/* cmd-lists.c: `clmrs due` and `clmrs households`, the facilitator's two lists. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "casebook.h"
#include "record.h"
#include "store.h"
#include "util.h"

#include <stdio.h>

int
clmrs_cmd_due (ClmrsCli  *cli,
               int        argc,
               char     **argv)
{
  int horizon = 30;
  int limit = 50;
  gboolean json = FALSE;
  gboolean refresh = FALSE;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GDate today;
  GOptionEntry entries[] = {
    { "days", 0, 0, G_OPTION_ARG_INT, &horizon, "Also list follow-ups due within DAYS (default 30)", "DAYS" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N children (default 50)", "N" },
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &refresh, "Recompute every case for today first (done daily by the app)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
    { NULL }
  };

  if (!clmrs_cli_parse ("due", NULL,
                        "Lists the children whose follow-up visit is due, the most overdue first,\n"
                        "with the date it was due (today is $CLMRS_TODAY when set).",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1 || horizon < 0 || limit < 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "due: bad arguments (see --help)");

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  clmrs_date_today (&today);
  if (refresh && !clmrs_casebook_refresh_all (store, &today, NULL, NULL, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "due: %s", error->message);
  items = clmrs_casebook_follow_ups_due (store, &today, horizon, limit, &error);
  if (items == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "due: %s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < items->len; i++)
        {
          const ClmrsDueItem *d = g_ptr_array_index (items, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "child_id");
          json_builder_add_string_value (b, d->child_id);
          json_builder_set_member_name (b, "child");
          json_builder_add_string_value (b, d->child_name);
          json_builder_set_member_name (b, "household_id");
          json_builder_add_string_value (b, d->household_id);
          json_builder_set_member_name (b, "household");
          json_builder_add_string_value (b, d->head_name);
          json_builder_set_member_name (b, "community");
          json_builder_add_string_value (b, d->community);
          json_builder_set_member_name (b, "status");
          json_builder_add_string_value (b, d->status);
          json_builder_set_member_name (b, "due");
          json_builder_add_string_value (b, d->next_due);
          json_builder_set_member_name (b, "days_late");
          json_builder_add_int_value (b, d->days_late);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      text = clmrs_json_to_string (root);
      printf ("%s\n", text);
      return CLMRS_EXIT_OK;
    }

  if (items->len == 0)
    {
      printf ("No follow-up due within %d days.\n", horizon);
      return CLMRS_EXIT_OK;
    }
  printf ("%-10s %-14s %-24s %-24s %s\n", "due", "", "child", "household", "community");
  for (guint i = 0; i < items->len; i++)
    {
      const ClmrsDueItem *d = g_ptr_array_index (items, i);
      g_autofree char *late = d->days_late > 0 ? g_strdup_printf ("%d days late", d->days_late)
                            : d->days_late == 0 ? g_strdup ("today")
                            : g_strdup_printf ("in %d days", -d->days_late);

      g_autofree char *child = clmrs_cli_column (d->child_name, 24);
      g_autofree char *head = clmrs_cli_column (d->head_name, 24);

      printf ("%-10s %-14s %s %s %s\n", d->next_due, late, child, head, d->community ? d->community : "");
    }
  return CLMRS_EXIT_OK;
}

int
clmrs_cmd_households (ClmrsCli  *cli,
                      int        argc,
                      char     **argv)
{
  int limit = 50;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N households (default 50)", "N" },
    { NULL }
  };

  if (!clmrs_cli_parse ("households", "[PREFIX]",
                        "Lists households whose head's name starts with PREFIX (any case).",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 2 || limit < 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "households: bad arguments (see --help)");

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  items = clmrs_casebook_search_households (store, argc > 1 ? argv[1] : "", limit, &error);
  if (items == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "households: %s", error->message);
  for (guint i = 0; i < items->len; i++)
    {
      const ClmrsHouseholdItem *h = g_ptr_array_index (items, i);

      g_autofree char *head = clmrs_cli_column (h->head_name, 30);
      g_autofree char *community = clmrs_cli_column (h->community, 24);

      printf ("%s %s %d %s  %s\n", head, community, h->n_children, h->n_children == 1 ? "child   " : "children",
              h->id);
    }
  if (items->len == 0)
    printf ("No household found.\n");
  return CLMRS_EXIT_OK;
}
