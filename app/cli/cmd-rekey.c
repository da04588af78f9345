/* cmd-rekey.c: `clmrs rekey`, a new data key for the device's encrypted database. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "device.h"

#include <stdio.h>

int
clmrs_cmd_rekey (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(ClmrsDataKey) new_key = NULL;
  guint n_erased = 0;

  if (!clmrs_cli_parse ("rekey", NULL,
                        "Gives the device a new random data key, for when the old one may have\n"
                        "leaked (the recovery secret key, a copy of the device taken while\n"
                        "someone was signed in). The database is copied page by page under the\n"
                        "new key, every person's keyring entry and the recovery copy are sealed\n"
                        "to it, then the copies replace the originals; interrupted, the device\n"
                        "keeps its old key or has the new one, never neither. A keyring copied\n"
                        "before opens nothing after. Needs --person; nobody else may use the\n"
                        "database meanwhile.",
                        NULL, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "rekey: unexpected argument '%s'", argv[1]);
  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "rekey: %s", error->message);
  if (cli->key == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "rekey: %s is not encrypted: there is no key to change", cli->db_path);
  /* the copy is made from a database nobody writes to */
  g_clear_pointer (&store, clmrs_store_close);
  if (!clmrs_device_rekey (cli->db_path, cli->key, &new_key, &n_erased, &error))
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "rekey: %s", error->message);
  printf ("The device has a new data key; every copy of the keyring made before opens nothing now.\n");
  if (n_erased > 0)
    printf ("%u %s not signed in since PINs got key pairs: someone signed in gives them a new PIN (add-person).\n",
            n_erased, n_erased == 1 ? "person had" : "people had");
  return CLMRS_EXIT_OK;
}
