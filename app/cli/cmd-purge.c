/* cmd-purge.c: `clmrs purge`, the children whose case closed long ago leave the device. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "cases.h"
#include "retention.h"
#include "util.h"

#include <stdio.h>

int
clmrs_cmd_purge (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GPtrArray) children = NULL;
  gboolean dry_run = FALSE;
  ClmrsCaseConfig rules;
  GDate today;
  guint purged = 0;
  GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "List the children who would leave, change nothing", NULL },
    { NULL }
  };

  if (!clmrs_cli_parse ("purge", NULL,
                        "Forgets, on this device, the children whose case was closed (a closure)\n"
                        "or who exited with no yearly visit left, longer ago than the programme's\n"
                        "closed_keep_days (assets/programme/case_rules.json), once the server\n"
                        "has acknowledged every record about them and no draft of theirs waits:\n"
                        "their visits, answers, supports, supervisors' messages, case and sent\n"
                        "envelopes, in one transaction. The server keeps them. Each sync does\n"
                        "it too. --dry-run lists them (child, household, status, last activity,\n"
                        "their visits); the date is today's, or $CLMRS_TODAY.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "purge: unexpected argument '%s'", argv[1]);
  if (!clmrs_case_config_load_programme (&rules, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "purge: %s", error->message);
  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "purge: %s", error->message);
  clmrs_date_today (&today);
  if (dry_run)
    {
      children = clmrs_retention_list (store, &today, rules.closed_keep_days, &error);
      if (children == NULL)
        return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "purge: %s", error->message);
      for (guint i = 0; i < children->len; i++)
        {
          const ClmrsRetentionChild *child = g_ptr_array_index (children, i);

          printf ("%s  %s  %-7s  %s  %u visit%s\n", child->child_id, child->household_id, child->status,
                  child->last_activity, child->n_visits, child->n_visits == 1 ? "" : "s");
        }
      printf ("%u %s would leave this device (closed over %u days ago, all acknowledged by the server)\n",
              children->len, children->len == 1 ? "child" : "children", rules.closed_keep_days);
      return CLMRS_EXIT_OK;
    }
  if (!clmrs_retention_purge (store, &today, rules.closed_keep_days, &purged, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "purge: %s", error->message);
  printf ("%u %s left this device (the server keeps them)\n", purged, purged == 1 ? "child" : "children");
  return CLMRS_EXIT_OK;
}
