// The header fields of an e-mail that Wissen shows and indexes: subject, sender, recipients
// and date, read from a GMime message (how they appear in a document: mail_parser.h).
// Private to the crawler.
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wissen::crawler {

// A header value as one line: valid UTF-8, no control characters, at most a title's length
// (MakeTitle). Null is "".
std::string OneLine(const char* value);

// What a message's header says about it. Holds copies, except `date`, which belongs to the
// message and lives as long as it does.
class Envelope {
 public:
  explicit Envelope(GMimeMessage* message);

  const std::string& subject() const { return subject_; }
  // The first From mailbox (else Sender) as "Name <address>"; "" when there is none.
  std::string Author() const;
  // "from", "to", "cc", "date" (ISO 8601 with offset), each only when present.
  std::vector<std::pair<std::string, std::string>> Metadata() const;
  // "Anna Müller → Bernd Schulz, Carla Weber; Cc: Dora Klein · 2024-03-04 10:15 +01:00";
  // "" when the message has no From, To, Cc or Date.
  std::string HeaderLine() const;

 private:
  struct Mailbox {
    std::string name;
    std::string address;

    std::string Full() const;
    std::string Short() const;
  };
  struct MailboxList {
    std::vector<Mailbox> listed;  // the first few
    size_t total = 0;
  };

  static void AddMailbox(InternetAddress* address, MailboxList* list);
  static MailboxList Mailboxes(InternetAddressList* addresses);
  static std::string Join(const MailboxList& list, size_t max, bool short_names);

  std::string subject_;
  MailboxList from_, to_, cc_;
  GDateTime* date_ = nullptr;
};

}  // namespace wissen::crawler
