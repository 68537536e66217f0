from django.contrib import admin

from .models import Style


@admin.register(Style)
class StyleAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "base_model", "kind", "trained_by", "public", "created_at")
    list_filter = ("base_model", "kind", "public", "shared_with_workspace")
    search_fields = ("name", "trigger_word", "krea_style_id", "team__name")
    raw_id_fields = ("team", "training_job", "trained_by")
    readonly_fields = ("uuid", "krea_style_id", "created_at", "synced_at")
