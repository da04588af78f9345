/* crash-writer.c: makes household visits forever, reporting each one finalised; killed by test-store-crash. */
#include "demo.h"
#include "store.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  guint32 seed;

  if (argc != 5)
    {
      fprintf (stderr, "usage: crash-writer DB COMMUNITY FACILITATOR SEED\n");
      return 2;
    }
  store = clmrs_store_open (argv[1], &error);
  if (store == NULL)
    {
      fprintf (stderr, "crash-writer: %s\n", error->message);
      return 1;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  seed = (guint32) g_ascii_strtoull (argv[4], NULL, 10);
  for (;;)
    {
      guint n = 0;
      g_autofree char *visit = clmrs_demo_household_visit (store, argv[2], argv[3], seed++, &n, &error);

      if (visit == NULL)
        {
          fprintf (stderr, "crash-writer: %s\n", error->message);
          return 1;
        }
      /* only now, after COMMIT returned, is the visit promised to be there */
      printf ("FINAL %s %u\n", visit, n);
    }
}
