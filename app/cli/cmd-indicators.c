/* cmd-indicators.c: `clmrs indicators`, the CLMRS indicators of the device's data. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "casebook.h"
#include "record.h"
#include "store.h"
#include "util.h"

#include <stdio.h>

int
clmrs_cmd_indicators (ClmrsCli  *cli,
                      int        argc,
                      char     **argv)
{
  gboolean json = FALSE;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *text = NULL;
  GDate today, d;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the indicators as JSON (the only format so far)", NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "First day of the period", "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "Last day of the period", "YYYY-MM-DD" },
    { NULL }
  };

  if (!clmrs_cli_parse ("indicators", NULL,
                        "Computes the CLMRS indicators (docs/cases-and-indicators.md) over the\n"
                        "device's finalised visits, optionally for a period, with breakdowns by\n"
                        "community, facilitator sex and month.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "indicators: unexpected argument '%s'", argv[1]);
  if (!json)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "indicators: give --json");
  if (from != NULL && !clmrs_date_parse (from, &d))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "indicators: --from '%s' is not a date (YYYY-MM-DD)", from);
  if (to != NULL && !clmrs_date_parse (to, &d))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "indicators: --to '%s' is not a date (YYYY-MM-DD)", to);
  if (from != NULL && to != NULL && g_strcmp0 (from, to) > 0)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "indicators: --from %s is after --to %s", from, to);

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  clmrs_date_today (&today);
  result = clmrs_casebook_indicators (store, from, to, &today, &error);
  if (result == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "indicators: %s", error->message);
  text = clmrs_json_to_string (result);
  printf ("%s\n", text);
  return CLMRS_EXIT_OK;
}
