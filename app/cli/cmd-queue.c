/* cmd-queue.c: `clmrs queue`, the unsynced records by facilitator. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "outbox.h"
#include "record.h"
#include "store.h"

#include <stdio.h>

static void
print_text (GPtrArray *rows)
{
  gint64 queued = 0, bytes = 0, rejected = 0;

  if (rows->len == 0)
    {
      printf ("Nothing waits to be synced.\n");
      return;
    }
  printf ("%-28s %7s  %-20s %10s %9s  %s\n",
          "facilitator", "queued", "oldest", "bytes", "rejected", "last error");
  for (guint i = 0; i < rows->len; i++)
    {
      const ClmrsQueueRow *r = g_ptr_array_index (rows, i);
      g_autofree char *size = g_format_size (r->bytes);

      g_autofree char *name = clmrs_cli_column (r->facilitator_name, 28);

      printf ("%s %7" G_GINT64_FORMAT "  %-20s %10s %9" G_GINT64_FORMAT "  %s\n",
              name, r->queued, r->oldest ? r->oldest : "-",
              size, r->rejected, r->last_error ? r->last_error : "-");
      for (guint j = 0; j < r->rejections->len; j++)
        {
          const ClmrsRejection *x = g_ptr_array_index (r->rejections, j);

          printf ("    rejected %s %s rev %" G_GINT64_FORMAT ": %s\n",
                  x->type, x->record_id, x->rev, x->reason);
        }
      queued += r->queued;
      bytes += r->bytes;
      rejected += r->rejected;
    }
  {
    g_autofree char *size = g_format_size (bytes);
    printf ("%-28s %7" G_GINT64_FORMAT "  %-20s %10s %9" G_GINT64_FORMAT "\n",
            "total", queued, "", size, rejected);
  }
}

int
clmrs_cmd_queue (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  gboolean json = FALSE;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of a table", NULL },
    { NULL }
  };

  if (!clmrs_cli_parse ("queue", NULL,
                        "Shows what has not reached the server yet, by facilitator: how many\n"
                        "records are queued, the oldest, their size, and the records the\n"
                        "server rejected with its reasons (they stay on the device).",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "queue: unexpected argument '%s'", argv[1]);

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  rows = clmrs_outbox_queue_by_facilitator (store, &error);
  if (rows == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "queue: %s", error->message);

  if (json)
    {
      g_autoptr(JsonNode) node = clmrs_outbox_queue_to_json (rows);
      g_autofree char *text = clmrs_json_to_string (node);
      printf ("%s\n", text);
    }
  else
    print_text (rows);
  return CLMRS_EXIT_OK;
}
