/* cmd-people.c: `clmrs people` and `clmrs add-person`: who can sign in on this device. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "device.h"

#include <stdio.h>

int
clmrs_cmd_people (ClmrsCli  *cli,
                  int        argc,
                  char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) people = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!clmrs_cli_parse ("people", NULL,
                        "Lists the people who can sign in on this device (from its keyring,\n"
                        "PATH.keyring; no PIN needed): id, name, and whether they must wait\n"
                        "after wrong PINs or had their key erased after 10.",
                        NULL, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "people: unexpected argument '%s'", argv[1]);
  people = clmrs_device_list_people (cli->db_path, &error);
  if (people == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  for (guint i = 0; i < people->len; i++)
    {
      const ClmrsKeyringPerson *p = g_ptr_array_index (people, i);
      g_autofree char *name = clmrs_cli_column (p->display_name, 28);
      g_autofree char *state = NULL;

      if (p->erased)
        state = g_strdup ("erased: a colleague signed in gives a new PIN (add-person), or support recovers the device");
      else if (p->locked_until > now)
        state = g_strdup_printf ("locked: wait %" G_GINT64_FORMAT " s", p->locked_until - now);
      else if (p->failures > 0)
        state = g_strdup_printf ("%u wrong PIN%s", p->failures, p->failures == 1 ? "" : "s");
      else
        state = g_strdup ("can sign in");
      printf ("%s  %s  %s\n", p->person_id, name, state);
    }
  return CLMRS_EXIT_OK;
}

int
clmrs_cmd_add_person (ClmrsCli  *cli,
                      int        argc,
                      char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autofree char *one_time = NULL;
  g_autofree char *pin = NULL;
  ClmrsPinState state;

  if (!clmrs_cli_parse ("add-person", "PERSON-ID",
                        "Lets a colleague sign in on this device, or gives one whose key was\n"
                        "erased after 10 wrong PINs a new PIN. Someone signed in does it\n"
                        "(--person); the colleague must be one of the device's people (from\n"
                        "the server, or `init`). When the server gave them a one-time PIN they\n"
                        "type it first; then they choose their PIN. With --pin-fd the lines\n"
                        "are: the PIN of --person, the one-time PIN (when there is one), the\n"
                        "colleague's new PIN.",
                        NULL, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc != 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "add-person: give the colleague's PERSON-ID");
  if (cli->person == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "add-person: someone signs in first (--person ID)");
  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  if (!clmrs_store_get_pin_state (store, argv[1], &state, &error))
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "add-person: %s", error->message);
  if (state == CLMRS_PIN_STATE_ONE_TIME &&
      (one_time = clmrs_cli_read_pin (cli, "The colleague's one-time PIN from the supervisor", &error)) == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "add-person: %s", error->message);
  pin = clmrs_cli_read_new_pin (cli, "The colleague's new PIN (6 digits or more)", &error);
  if (pin == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "add-person: %s", error->message);
  if (!clmrs_device_add_person (store, cli->key, argv[1], one_time, pin, &error))
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "add-person: %s", error->message);
  printf ("%s can sign in on this device\n", argv[1]);
  return CLMRS_EXIT_OK;
}
