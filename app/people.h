/* people.h: the people who can sign in on this device, as the sign-in screen lists them. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* A person who can sign in.  On an encrypted device, before anyone signs
 * in, only the keyring is readable: @sex and @supervisor are known once
 * the person signed in (clmrs_people_lookup()). */
typedef struct {
  char          *id;
  char          *name;
  char          *sex;
  gboolean       supervisor;
  ClmrsPinState  pin_state;   /* none yet, or the server's one-time PIN: they choose their own */
  gboolean       from_keyring; /* listed by the keyring: the three below are set */
  guint          failures;    /* wrong PINs in a row */
  gint64         locked_until; /* UNIX seconds before which no PIN is tried; 0: none */
  gboolean       erased;      /* 10 wrong PINs erased their key: a colleague adds them again */
} ClmrsPerson;

void         clmrs_person_free          (ClmrsPerson  *person);

/* The active people of the store, facilitators first, then by name.
 * Returns: (element-type ClmrsPerson) (transfer full), or NULL with @error. */
GPtrArray   *clmrs_people_list          (ClmrsStore   *store,
                                         GError      **error);
/* The people of the keyring of the encrypted database at @db_path, who
 * can sign in before it is open (in the order they were added).
 * Returns: (element-type ClmrsPerson) (transfer full), or NULL with @error. */
GPtrArray   *clmrs_people_list_keyring  (const char   *db_path,
                                         GError      **error);
/* @person_id as the store knows them (active or not); NULL with
 * CLMRS_STORE_ERROR_NOT_FOUND when it has no such person. */
ClmrsPerson *clmrs_people_lookup        (ClmrsStore   *store,
                                         const char   *person_id,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsPerson, clmrs_person_free)

G_END_DECLS
