/* clmrs-high-contrast.c: the outdoor high-contrast mode: libadwaita's high-contrast style and the app's black on white. */
#define G_LOG_DOMAIN "clmrs-high-contrast"

#include "clmrs-high-contrast.h"

/*
 * libadwaita 1.2 has no way to ask for its high-contrast style: it
 * follows the system's setting only (AdwStyleManager:high-contrast is
 * read-only).  So the mode loads the same stylesheet libadwaita would,
 * from libadwaita's own resources, one step above libadwaita's theme
 * providers, and the app's style-hc.css above the app's style.css.
 * When the system's setting is on, libadwaita loads its stylesheet
 * itself and only the app's is added.  The providers hang on the
 * display, so a window built again (a language switch) has them.
 */

#define ADWAITA_HC_RESOURCE "/org/gnome/Adwaita/styles/base-hc.css"
#define APP_HC_RESOURCE     "/org/clmrs/Field/style-hc.css"
#define ADWAITA_KEY         "clmrs-high-contrast-adwaita"
#define APP_KEY             "clmrs-high-contrast-app"

static void
remove_provider (GdkDisplay *display,
                 const char *key)
{
  GtkStyleProvider *provider = g_object_get_data (G_OBJECT (display), key);

  if (provider == NULL)
    return;
  gtk_style_context_remove_provider_for_display (display, provider);
  g_object_set_data (G_OBJECT (display), key, NULL);
}

static void
add_provider (GdkDisplay *display,
              const char *key,
              const char *resource,
              guint       priority)
{
  GtkCssProvider *provider;

  if (g_object_get_data (G_OBJECT (display), key) != NULL)
    return;
  if (!g_resources_get_info (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    {
      g_debug ("no %s: the mode goes without it", resource);
      return;
    }
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, resource);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider), priority);
  g_object_set_data_full (G_OBJECT (display), key, provider, g_object_unref);
}

void
clmrs_high_contrast_set_active (GdkDisplay *display,
                                gboolean    active)
{
  AdwStyleManager *style;

  g_return_if_fail (GDK_IS_DISPLAY (display));

  style = adw_style_manager_get_for_display (display);
  if (active && !adw_style_manager_get_high_contrast (style))
    add_provider (display, ADWAITA_KEY, ADWAITA_HC_RESOURCE, GTK_STYLE_PROVIDER_PRIORITY_THEME + 1);
  else
    remove_provider (display, ADWAITA_KEY);
  if (active)
    add_provider (display, APP_KEY, APP_HC_RESOURCE, GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
  else
    remove_provider (display, APP_KEY);
}

gboolean
clmrs_high_contrast_get_active (GdkDisplay *display)
{
  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

  return g_object_get_data (G_OBJECT (display), APP_KEY) != NULL;
}
