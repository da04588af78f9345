/* pin.h: PINs stored as salted slow hashes (PBKDF2-HMAC-SHA256, libgcrypt). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterations for new hashes: about 0.1 s on the handheld's CPU. */
#define CLMRS_PIN_ITERATIONS 60000

GQuark    clmrs_pin_error_quark (void);

char     *clmrs_pin_hash   (const char *pin,
                            GError    **error);
gboolean  clmrs_pin_verify (const char *pin,
                            const char *stored);
gboolean  clmrs_pin_is_acceptable (const char *pin,
                                   GError    **error);

G_END_DECLS
