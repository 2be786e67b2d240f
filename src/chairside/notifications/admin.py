from django.contrib import admin

from chairside.notifications.models import NotificationSettings, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "channel", "status", "due_at", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel")
    readonly_fields = [f.name for f in Reminder._meta.fields]


admin.site.register(NotificationSettings)
