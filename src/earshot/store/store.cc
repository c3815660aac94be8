#include "earshot/store/store.h"

#include <utility>

namespace earshot::store {

const char* WriteOutcomeName(WriteOutcome outcome) {
  return outcome == WriteOutcome::kInserted ? "inserted" : "duplicate";
}

Result<WriteOutcome> Store::InsertPulse(const Pulse& pulse, std::optional<Snippet> snippet) {
  const PulseWithSnippet one{pulse, std::move(snippet)};
  Result<std::vector<WriteOutcome>> outcomes = InsertPulses(std::span(&one, 1));
  if (!outcomes) return std::unexpected(outcomes.error());
  return outcomes->front();
}

}  // namespace earshot::store
