/* cmd-people.c: `clmrs people` and `clmrs add-person`: who can sign in on this device. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "device.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

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
                        "after wrong PINs or had their key erased after 10; then those the server\n"
                        "gave a one-time PIN, who sign in once with it (online) and choose theirs.",
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

      if (p->one_time)
        state = g_strdup ("first sign-in: the one-time PIN from the administrator, then their own (asks the server)");
      else if (p->erased)
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

int
clmrs_cmd_recover (ClmrsCli  *cli,
                   int        argc,
                   char     **argv)
{
  g_autofree char *server_key = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  guint8 secret[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  gboolean ok;
  GOptionEntry entries[] = {
    { "server-key", 0, 0, G_OPTION_ARG_FILENAME, &server_key, "The recovery secret key (clmrs-server recovery-keygen --secret)", "FILE" },
    { NULL }
  };

  if (!clmrs_cli_parse ("recover", "PERSON-ID",
                        "For support staff: a device whose people are all locked out (10 wrong\n"
                        "PINs) or have forgotten their PIN. The recovery secret key opens the\n"
                        "copy of the device's data key sealed to it; PERSON-ID (one of the\n"
                        "device's people) then chooses a new PIN (asked, or one line of\n"
                        "--pin-fd). Without that secret key nothing can be recovered.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc != 2 || server_key == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "recover: give --server-key FILE and the PERSON-ID");
  if (!g_file_get_contents (server_key, &text, NULL, &error) ||
      !clmrs_device_parse_recovery_key (text, secret, &error))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "recover: --server-key %s: %s", server_key, error->message);
  sodium_memzero (text, strlen (text));
  key = clmrs_device_recover (cli->db_path, secret, &error);
  sodium_memzero (secret, sizeof secret);
  if (key == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "recover: %s", error->message);
  store = clmrs_store_open_encrypted (cli->db_path, key, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "recover: %s", error->message);
  pin = clmrs_cli_read_new_pin (cli, "The person's new PIN (6 digits or more)", &error);
  if (pin == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "recover: %s", error->message);
  ok = clmrs_device_give_pin (store, key, argv[1], pin, &error);
  sodium_memzero (pin, strlen (pin));
  if (!ok)
    return clmrs_cli_fail (CLMRS_EXIT_DATA, "recover: %s", error->message);
  printf ("%s can sign in on this device with the new PIN\n", argv[1]);
  return CLMRS_EXIT_OK;
}
