#include "mail_envelope.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "parser_text.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

constexpr size_t kMaxHeaderValueBytes = 64 * 1024;
constexpr size_t kMaxListedAddresses = 50;
constexpr size_t kMaxHeaderLineRecipients = 10;

struct GFree {
  void operator()(gpointer memory) const { g_free(memory); }
};

std::string FormatDate(GDateTime* date, const char* format) {
  if (date == nullptr) return {};
  const std::unique_ptr<gchar, GFree> text(g_date_time_format(date, format));
  return text == nullptr ? std::string() : SanitizeUtf8(text.get());
}

}  // namespace

std::string OneLine(const char* value) {
  if (value == nullptr) return {};
  std::string text = SanitizeUtf8(std::string_view(value).substr(0, kMaxHeaderValueBytes));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return MakeTitle(text);
}

Envelope::Envelope(GMimeMessage* message)
    : subject_(OneLine(g_mime_message_get_subject(message))),
      from_(Mailboxes(g_mime_message_get_from(message))),
      to_(Mailboxes(g_mime_message_get_to(message))),
      cc_(Mailboxes(g_mime_message_get_cc(message))),
      date_(g_mime_message_get_date(message)) {
  if (from_.listed.empty()) from_ = Mailboxes(g_mime_message_get_sender(message));
}

std::string Envelope::Author() const {
  return from_.listed.empty() ? std::string() : from_.listed[0].Full();
}

std::vector<std::pair<std::string, std::string>> Envelope::Metadata() const {
  std::vector<std::pair<std::string, std::string>> metadata;
  if (!from_.listed.empty()) metadata.emplace_back("from", Author());
  if (!to_.listed.empty()) metadata.emplace_back("to", Join(to_, kMaxListedAddresses, false));
  if (!cc_.listed.empty()) metadata.emplace_back("cc", Join(cc_, kMaxListedAddresses, false));
  if (std::string date = FormatDate(date_, "%Y-%m-%dT%H:%M:%S%:z"); !date.empty()) {
    metadata.emplace_back("date", std::move(date));
  }
  return metadata;
}

std::string Envelope::HeaderLine() const {
  std::string line = from_.listed.empty() ? std::string() : from_.listed[0].Short();
  if (!to_.listed.empty()) {
    line += line.empty() ? "→ " : " → ";
    line += Join(to_, kMaxHeaderLineRecipients, /*short_names=*/true);
  }
  if (!cc_.listed.empty()) {
    line += line.empty() ? "Cc: " : "; Cc: ";
    line += Join(cc_, kMaxHeaderLineRecipients, /*short_names=*/true);
  }
  const std::string day = FormatDate(date_, "%Y-%m-%d %H:%M %:z");
  if (!day.empty()) line += (line.empty() ? "" : " · ") + day;
  return line;
}

std::string Envelope::Mailbox::Full() const {
  if (name.empty() || address.empty()) return Short();
  return Short() + " <" + address + ">";
}

// A display name with a comma ("Weber, Carla") is quoted, as in the header, so that a list
// of them stays readable.
std::string Envelope::Mailbox::Short() const {
  if (name.empty()) return address;
  if (name.find_first_of(",;") == std::string::npos) return name;
  std::string quoted = name;
  std::erase(quoted, '"');
  return "\"" + quoted + "\"";
}

void Envelope::AddMailbox(InternetAddress* address, MailboxList* list) {
  if (!INTERNET_ADDRESS_IS_MAILBOX(address)) return;
  Mailbox mailbox{OneLine(internet_address_get_name(address)),
                  OneLine(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))};
  if (mailbox.name.empty() && mailbox.address.empty()) return;
  ++list->total;
  if (list->listed.size() < kMaxListedAddresses) list->listed.push_back(std::move(mailbox));
}

// Group members count as mailboxes of the list (groups do not nest).
Envelope::MailboxList Envelope::Mailboxes(InternetAddressList* addresses) {
  MailboxList list;
  if (addresses == nullptr) return list;
  const int count = internet_address_list_length(addresses);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(addresses, i);
    if (address == nullptr) continue;
    if (INTERNET_ADDRESS_IS_GROUP(address)) {
      InternetAddressList* members =
          internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address));
      const int member_count = members == nullptr ? 0 : internet_address_list_length(members);
      for (int m = 0; m < member_count; ++m) {
        InternetAddress* member = internet_address_list_get_address(members, m);
        if (member != nullptr) AddMailbox(member, &list);
      }
    } else {
      AddMailbox(address, &list);
    }
  }
  return list;
}

// At most `max` mailboxes, then "+N" (short names, for the header line) or "+N more".
std::string Envelope::Join(const MailboxList& list, size_t max, bool short_names) {
  std::string joined;
  const size_t shown = std::min(max, list.listed.size());
  for (size_t i = 0; i < shown; ++i) {
    if (!joined.empty()) joined += ", ";
    joined += short_names ? list.listed[i].Short() : list.listed[i].Full();
  }
  if (list.total > shown) {
    joined += ", +" + std::to_string(list.total - shown) + (short_names ? "" : " more");
  }
  return joined;
}

}  // namespace wissen::crawler
