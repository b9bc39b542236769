"""Tagging a passage as a mention of an entity, and the entity suggestions the tag form offers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import View

from annotations.models import Entity
from annotations.services.annotating import AnnotationError
from annotations.services.entities import EntityError, entity_create, mention_create
from editor.views.access import EditorRequiredMixin
from editor.views.workspace import PassageFormView, workspace_url

LOOKUP_LIMIT = 10


def entities_matching(query: str):
    """Entities in use whose name or an alias contains `query` (case-insensitive), names first."""
    return Entity.objects.filter(merged_into__isnull=True).filter(
        Q(name__icontains=query) | Q(aliases__icontains=query)
    )


def entities_named(name: str) -> list[Entity]:
    """Entities in use called exactly `name` (ignoring case), else those with `name` as an alias."""
    by_name = list(Entity.objects.filter(merged_into__isnull=True, name__iexact=name))
    if by_name:
        return by_name
    folded = name.casefold()
    return [e for e in entities_matching(name) if folded in (alias.casefold() for alias in e.aliases)]


class EntityTagView(PassageFormView):
    """Mark a passage as a mention of a known entity, or of a new one created with the chosen kind."""

    context_name = "entity_form"

    def form_valid(self, form):
        selectors = form.selectors_in(self.article.current_revision.text)
        if selectors is None:
            return self.refuse_passage(form)
        name = " ".join(form.cleaned_data["entity"].split())
        found = entities_named(name)
        if len(found) > 1:
            names = " or ".join(entity.name for entity in found)
            return self.refuse(form, f"“{name}” could be {names}: type the full name.", "entity")
        try:
            entity = found[0] if found else self.create(name, form.cleaned_data["kind"])
            mention_create(
                article=self.article,
                user=self.request.user,
                selectors=selectors,
                entity=entity,
            )
        except (EntityError, AnnotationError) as exc:
            return self.refuse(form, f"Nothing was tagged: {exc}.")
        messages.success(self.request, f"“{selectors.exact}” is tagged as {entity.name} ({entity.get_kind_display()}).")
        return redirect(workspace_url(self.article))

    def create(self, name: str, kind: str) -> Entity:
        if not kind:
            raise EntityError(f"no entity is called “{name}”; choose the kind of the new entity to create it")
        if not self.request.user.has_perm("annotations.add_entity"):
            raise PermissionDenied("only editors may create entities")
        return entity_create(name=name, kind=kind)


class EntityLookupView(EditorRequiredMixin, View):
    """JSON suggestions for the tag form: entities whose name or alias contains ?q=."""

    def get(self, request):
        query = " ".join(request.GET.get("q", "").split())
        rows = entities_matching(query).order_by("name")[:LOOKUP_LIMIT] if len(query) >= 2 else []
        results = [{"value": entity.name, "label": entity_label(entity, query)} for entity in rows]
        return JsonResponse({"results": results})


def entity_label(entity: Entity, query: str) -> str:
    """What the suggestion shows: the kind, and the alias that matched when the name did not."""
    alias = next((a for a in entity.aliases if query.casefold() in a.casefold()), None)
    matched = "" if query.casefold() in entity.name.casefold() or alias is None else f" · also “{alias}”"
    return f"{entity.get_kind_display()}{matched}"
