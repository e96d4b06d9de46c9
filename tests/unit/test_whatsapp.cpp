// The pure parts of the WhatsApp providers: which Graph failures are worth retrying, redaction of
// secrets from provider text, and the determinism of the simulated providers.
#include <gtest/gtest.h>

#include "providers/llm.h"
#include "providers/whatsapp_provider.h"

namespace cxco::providers {

TEST(WhatsAppGraphError, RetriesTransportServerAndThrottlingErrorsOnly) {
  // Decided on Graph's error.code as Meta advises: throttling arrives as HTTP 400 too.
  for (const auto& [status, code] : std::vector<std::pair<int, int>>{{0, 0},
                                                                     {429, 4},
                                                                     {500, 0},
                                                                     {503, 131016},
                                                                     {400, 130429},
                                                                     {400, 4},
                                                                     {400, 17},
                                                                     {400, 80007},
                                                                     {400, 131056},
                                                                     {400, 133015},
                                                                     {400, 133009}})
    EXPECT_TRUE(GraphError("op", status, code, "x").transient()) << status << " " << code;
  for (const auto& [status, code] : std::vector<std::pair<int, int>>{
           {401, 190}, {403, 200}, {400, 100}, {400, 133005}, {400, 133006}, {400, 136025}, {400, 131026}})
    EXPECT_FALSE(GraphError("op", status, code, "x").transient()) << status << " " << code;
  // Whatever the code, an error Graph marks is_transient is worth trying again.
  EXPECT_TRUE(GraphError("op", 400, 100, "x", true).transient());
  EXPECT_TRUE(GraphError("op", 400, 0, "x", true).transient());
}

TEST(WhatsAppRedact, MasksEveryOccurrenceOfTheSecret) {
  EXPECT_EQ(redact("bad key sk-123 (sk-123)", "sk-123"), "bad key [redacted] ([redacted])");
  EXPECT_EQ(redact("nothing to hide", "sk-123"), "nothing to hide");
  EXPECT_EQ(redact("empty secret", ""), "empty secret");
  // A secret that contains the mask itself cannot loop forever.
  EXPECT_EQ(redact("x[redacted]x", "[redacted]"), "x[redacted]x");
}

TEST(SimulatedWhatsApp, EveryNumberIsVerifiedUnderAStableId) {
  auto whatsapp = make_simulated_whatsapp();
  const WhatsAppAccount account;
  EXPECT_EQ(whatsapp->find_number(account, "+27211234567"), "sim_wa_27211234567");
  EXPECT_EQ(whatsapp->number_status(account, "sim_wa_27211234567").code_verification_status, "VERIFIED");
  const auto first = whatsapp->send_text(account, "sim_wa_27211234567", "27821234567", "Hi");
  EXPECT_EQ(first.rfind("wamid.", 0), 0u);
  EXPECT_NE(first, whatsapp->send_text(account, "sim_wa_27211234567", "27821234567", "Hi"));
}

TEST(SimulatedLlm, AnswersDeterministicallyFromTheConversation) {
  auto llm = make_simulated_llm();
  const std::vector<ChatMessage> chat = {
      {"system", "You are Acme."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Open today?"}};
  const auto answer = llm->complete({}, chat, 0.7);
  EXPECT_EQ(answer, "Thanks for your message (2 so far). You said: \"Open today?\". How else can I help?");
  EXPECT_EQ(llm->complete({}, chat, 1.5), answer);
}

}  // namespace cxco::providers
