/* cmd-forms.c: `clmrs forms check FILE...` (load XForms, report every problem) and `clmrs forms list` (what the device has). */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "catalog.h"
#include "xform.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

static const char forms_help[] =
  "Subcommands:\n"
  "  check [--media DIR] FILE...\n"
  "                  load each ODK XForms file as the engine would\n"
  "  list [--json]   (needs --db) every form and rule set on the device: id,\n"
  "                  version, origin (built-in or published) and the one new\n"
  "                  visits use (current)\n"
  "\n"
  "`check` prints \"FILE: ok\" for a form that loads, otherwise every problem\n"
  "as \"file:line: node: reason\" (XML that does not parse, no model or\n"
  "instance, a bind or control naming a missing node, an expression that\n"
  "does not compile, cyclic calculations, an unsupported control or type,\n"
  "a media file missing or malformed).  Warnings (\"file:line: node: warning:\n"
  "reason\") say what ODK runs but may not be meant, such as a reference to\n"
  "a node the instance lacks, which reads as empty; a form with warnings\n"
  "only is ok.  --media DIR: the form's media files (the CSV and XML lists\n"
  "of its jr://file/ and jr://file-csv/ instances) are in DIR.\n"
  "\n"
  "Exit status: 0 all forms ok, 3 some form has problems, 1 a file could\n"
  "not be read (named), 2 usage.";

static int
forms_check (const char  *media_dir,
             int          argc,
             char       **argv)
{
  int status = CLMRS_EXIT_OK;

  if (argc < 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms check: give at least one FILE (see clmrs forms --help)");
  if (media_dir != NULL && !g_file_test (media_dir, G_FILE_TEST_IS_DIR))
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms check: --media %s is not a directory", media_dir);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GPtrArray) problems = NULL;
      gboolean ok;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_REGULAR) || g_access (argv[i], R_OK) != 0)
        {
          clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s: cannot read the file", argv[i]);
          status = CLMRS_EXIT_FAILURE;
          continue;
        }
      ok = clmrs_form_check_file_full (argv[i], media_dir, &problems);
      for (guint p = 0; p < problems->len; p++)
        {
          g_autofree char *line = clmrs_form_problem_to_string (problems->pdata[p]);
          printf ("%s\n", line);
        }
      if (ok)
        printf ("%s: ok\n", argv[i]);
      else if (status == CLMRS_EXIT_OK)
        status = CLMRS_EXIT_DATA;
    }
  return status;
}

static JsonNode *
catalog_to_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      const ClmrsCatalogEntry *e = g_ptr_array_index (entries, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, e->kind);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, e->id);
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, e->version);
      json_builder_set_member_name (b, "origin");
      json_builder_add_string_value (b, clmrs_origin_to_string (e->origin));
      json_builder_set_member_name (b, "current");
      json_builder_add_boolean_value (b, e->current);
      json_builder_set_member_name (b, "received");
      if (e->received != NULL)
        json_builder_add_string_value (b, e->received);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "media");
      json_builder_add_int_value (b, e->media);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static int
forms_list (ClmrsCli  *cli,
            int        argc,
            char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean json = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          printf ("Usage: clmrs --db PATH forms list [--json]\n\n%s\n", forms_help);
          return CLMRS_EXIT_OK;
        }
      else
        return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms list: unknown argument '%s'", argv[i]);
    }
  if (cli->db_path == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms list needs --db PATH (or $CLMRS_DB)");
  store = clmrs_cli_open_existing (cli, &error);
  if (store != NULL)
    entries = clmrs_catalog_list (store, &error);
  if (entries == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  if (json)
    {
      g_autoptr(JsonNode) root = catalog_to_json (entries);
      g_autofree char *text = json_to_string (root, TRUE);

      printf ("%s\n", text);
      return CLMRS_EXIT_OK;
    }
  printf ("%-9s %-20s %-14s %s\n", "kind", "id", "version", "origin");
  for (guint i = 0; i < entries->len; i++)
    {
      const ClmrsCatalogEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *id = clmrs_cli_column (e->id, 20);
      g_autofree char *version = clmrs_cli_column (e->version, 14);
      g_autofree char *media = e->media > 0 ? g_strdup_printf (", %u media file%s", e->media,
                                                               e->media == 1 ? "" : "s") : g_strdup ("");

      g_autofree char *line = g_strdup_printf ("%-9s %s %s %-10s %s%s", g_str_equal (e->kind, "form") ? "form" : "rules",
                                               id, version, clmrs_origin_to_string (e->origin),
                                               e->current ? "current" : "", media);

      printf ("%s\n", g_strchomp (line));
    }
  return CLMRS_EXIT_OK;
}

int
clmrs_cmd_forms (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autofree char *media_dir = NULL;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, "With check: the forms' media files (CSV and XML lists) are in DIR", "DIR" },
    { NULL }
  };

  /* list's --json is its own: GOption would take it as the command's */
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return forms_list (cli, argc - 1, argv + 1);
  if (!clmrs_cli_parse ("forms", "check [--media DIR] FILE... | list [--json]", forms_help, entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc < 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: give a subcommand (see clmrs forms --help)");
  if (g_str_equal (argv[1], "check"))
    return forms_check (media_dir, argc - 1, argv + 1);
  return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: unknown subcommand '%s'", argv[1]);
}
