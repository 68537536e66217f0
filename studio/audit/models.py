"""An append-only log of what happened to a team: who, when, what; never a secret."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One thing that happened to a team. Entries are written once and never changed."""

    class Action(models.TextChoices):
        TOKEN_SET = "token.set", "Krea token set"
        TOKEN_REPLACED = "token.replaced", "Krea token replaced"
        TOKEN_REMOVED = "token.removed", "Krea token removed"
        TOKEN_TESTED = "token.tested", "Krea token tested"
        MEMBER_INVITED = "member.invited", "Member invited"
        INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
        INVITATION_RESENT = "invitation.resent", "Invitation resent"
        MEMBER_JOINED = "member.joined", "Member joined"
        MEMBER_ROLE_CHANGED = "member.role_changed", "Member's role changed"
        MEMBER_REMOVED = "member.removed", "Member removed"
        MEMBER_LEFT = "member.left", "Member left"
        OWNERSHIP_TRANSFERRED = "ownership.transferred", "Ownership transferred"
        TEAM_CREATED = "team.created", "Team created"
        TEAM_SETTINGS_CHANGED = "team.settings_changed", "Team settings changed"
        QUOTA_SET = "quota.set", "Quota set"
        QUOTA_CHANGED = "quota.changed", "Quota changed"
        QUOTA_RESET = "quota.reset", "Quota reset"
        QUOTA_REMOVED = "quota.removed", "Quota removed"
        USAGE_ADJUSTED = "usage.adjusted", "Usage adjusted"
        ASSET_DELETED = "asset.deleted", "Asset deleted"
        STYLE_TRAINED = "style.trained", "Style trained"
        STYLE_RENAMED = "style.renamed", "Style renamed"
        STYLE_COVER_CHANGED = "style.cover_changed", "Style cover changed"
        STYLE_VISIBILITY_CHANGED = "style.visibility_changed", "Style made public or private"
        STYLE_LINK_CREATED = "style.link_created", "Style share link made"
        STYLE_WORKSPACE_SHARED = "style.workspace_shared", "Style shared with the workspace"
        STYLE_WORKSPACE_UNSHARED = "style.workspace_unshared", "Style removed from the workspace"

    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="audit_entries")
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    # Who did it. The email is kept as text so the entry still says who after the
    # user is deleted; None for the system (a management command, an operator script).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.EmailField(blank=True)
    # Whom it was about (the invited, removed or promoted person), when anyone.
    subject_email = models.EmailField(blank=True)
    # A short sentence for people, and structured details for filters and tools.
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        # Append-only is a property of the data, not a business rule: enforce it here.
        if not self._state.adding:
            raise RuntimeError("Audit entries are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only and cannot be deleted.")
