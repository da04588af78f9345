/* cmd-forms.c: `clmrs forms check FILE...`: load XForms and report every problem. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "xform.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

static const char forms_help[] =
  "Subcommands:\n"
  "  check FILE...   load each ODK XForms file as the engine would\n"
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

int
clmrs_cmd_forms (ClmrsCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autofree char *media_dir = NULL;
  GOptionEntry entries[] = {
    { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_dir, "The forms' media files (CSV and XML lists) are in DIR", "DIR" },
    { NULL }
  };

  if (!clmrs_cli_parse ("forms", "check [--media DIR] FILE...", forms_help, entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc < 2)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: give a subcommand (see clmrs forms --help)");
  if (g_str_equal (argv[1], "check"))
    return forms_check (media_dir, argc - 1, argv + 1);
  return clmrs_cli_fail (CLMRS_EXIT_USAGE, "forms: unknown subcommand '%s'", argv[1]);
}
