/* keyring-private.h: test hooks of the keyring (not for the app). */
#pragma once

#include "keyring.h"

G_BEGIN_DECLS

typedef gint64 (*ClmrsKeyringClock) (gpointer user_data);   /* UNIX seconds */

/* Replaces the wall clock the lockout is measured with (NULL: the real one). */
void _clmrs_keyring_set_clock (ClmrsKeyring      *keyring,
                               ClmrsKeyringClock  clock,
                               gpointer           user_data);

G_END_DECLS
