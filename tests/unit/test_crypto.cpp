#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/fernet.h"
#include "crypto/signatures.h"

namespace {

using namespace cxco::crypto;

// fernet/spec generate.json / verify.json / invalid.json share this key and clock.
constexpr std::string_view kSpecKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr std::string_view kSpecToken =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
constexpr std::int64_t kSpecTime = 499162800;  // 1985-10-26T01:20:00-07:00
constexpr std::int64_t kSpecNow = 499162801;   // 1985-10-26T01:20:01-07:00
constexpr std::int64_t kSpecTtl = 60;

std::string spec_iv() {
  std::string iv;
  for (char c = 0; c < 16; ++c) iv += c;
  return iv;
}

Fernet spec_fernet() { return *Fernet::from_key(kSpecKey); }

Fernet fresh_fernet() { return *Fernet::from_key(Fernet::generate_key()); }

// ---------------------------------------------------------------------------------------------
// Hashing, HMAC, hex, comparison

TEST(Crypto, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256("abc").size(), 32u);
  EXPECT_EQ(to_hex(sha256("abc")), sha256_hex("abc"));
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // An empty key must mean zero bytes, not "reuse the previous key".
  EXPECT_EQ(hmac_sha256_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hmac_sha256("Jefe", "x").size(), 32u);
}

// A body of 50 MiB is signed in pieces; the MAC must not depend on where it was cut.
TEST(Crypto, HmacSha256InPiecesMatchesTheWhole) {
  const std::string message = "what do ya want for nothing?";
  for (const std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{13}, message.size()}) {
    HmacSha256 mac("Jefe");
    mac.update(message.substr(0, cut));
    mac.update("");
    mac.update(message.substr(cut));
    EXPECT_EQ(to_hex(mac.digest()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") << cut;
  }
}

TEST(Crypto, ToHexIsLowercaseAndKeepsEveryByte) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("same bytes", "same bytes"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal("xbcdef", "abcdef"));
  EXPECT_FALSE(constant_time_equal("abcdex", "abcdef"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  // Must not stop at a NUL byte like strcmp would.
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// ---------------------------------------------------------------------------------------------
// Randomness and API keys

TEST(Crypto, RandomBytesHasRequestedLengthAndVaries) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(1000).size(), 1000u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Crypto, RandomBase62UsesWholeAlphabetWithoutModuloBias) {
  EXPECT_EQ(random_base62(0), "");
  constexpr std::size_t kPerChar = 2000;
  const std::string s = random_base62(62 * kPerChar);
  ASSERT_EQ(s.size(), 62 * kPerChar);
  std::map<char, std::size_t> counts;
  for (char c : s) {
    ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << "unexpected character " << int(c);
    ++counts[c];
  }
  ASSERT_EQ(counts.size(), 62u);
  // Each count is ~2000 +- 45 (1 sigma). Plain "byte % 62" would give '0'..'7' 25% more (~2420).
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, 1780u) << c;
    EXPECT_LT(n, 2220u) << c;
  }
}

TEST(Crypto, GenerateApiKeyHasPrefixAndFortyBase62Characters) {
  for (const auto& [type, prefix] :
       {std::pair{KeyType::company, kCompanyKeyPrefix}, std::pair{KeyType::user, kUserKeyPrefix},
        std::pair{KeyType::scoped, kScopedKeyPrefix}}) {
    const std::string key = generate_api_key(type);
    ASSERT_EQ(key.size(), prefix.size() + 40);
    EXPECT_TRUE(key.starts_with(prefix));
    const std::string body = key.substr(prefix.size());
    EXPECT_EQ(body.size(), 40u);
    EXPECT_TRUE(
        std::all_of(body.begin(), body.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    EXPECT_EQ(api_key_type(key), type);
  }
  EXPECT_NE(generate_api_key(KeyType::user), generate_api_key(KeyType::user));
}

TEST(Crypto, ApiKeyTypeRejectsForeignOrImplausibleKeys) {
  const std::string body32(32, 'a');
  EXPECT_EQ(api_key_type("cxco_comp_k_" + body32), KeyType::company);
  EXPECT_EQ(api_key_type("cxco_user_k_" + body32), KeyType::user);
  EXPECT_EQ(api_key_type("cxco_key_" + body32), KeyType::scoped);
  EXPECT_EQ(api_key_type("cxco_key_" + std::string(31, 'a')), std::nullopt);
  EXPECT_EQ(api_key_type(""), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_comp_k_"), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_comp_k_" + std::string(31, 'a')), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_admin_k_" + body32), std::nullopt);
  EXPECT_EQ(api_key_type("CXCO_COMP_K_" + body32), std::nullopt);
  EXPECT_EQ(api_key_type("sk_live_" + body32), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_comp_k_" + body32 + "-"), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_comp_k_" + body32 + " "), std::nullopt);
  EXPECT_EQ(api_key_type("cxco_user_k_" + body32 + std::string("\0", 1)), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Base64

TEST(Base64, MatchesRfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
    std::string unpadded = encoded;
    unpadded.erase(std::remove(unpadded.begin(), unpadded.end(), '='), unpadded.end());
    EXPECT_EQ(base64_encode(plain, false, false), unpadded);
    EXPECT_EQ(base64_decode(unpadded), plain) << unpadded;
  }
}

TEST(Base64, UrlAlphabetDiffersOnlyInTwoCharacters) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(base64_encode(bytes), "+/+/");
  EXPECT_EQ(base64_encode(bytes, true), "-_-_");
  EXPECT_EQ(base64_decode("-_-_", true), bytes);
  EXPECT_EQ(base64_decode("+/+/"), bytes);
  // Each decoder accepts only its own alphabet.
  EXPECT_EQ(base64_decode("-_-_"), std::nullopt);
  EXPECT_EQ(base64_decode("+/+/", true), std::nullopt);
}

TEST(Base64, RoundTripsEveryLengthInBothAlphabetsWithAndWithoutPadding) {
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::string bytes = random_bytes(n);
    for (const bool url : {false, true}) {
      for (const bool pad : {false, true}) {
        const std::string encoded = base64_encode(bytes, url, pad);
        EXPECT_EQ(encoded.find('='), pad && n % 3 != 0 ? encoded.size() - (3 - n % 3) : std::string::npos);
        EXPECT_EQ(base64_decode(encoded, url), bytes) << "n=" << n << " url=" << url << " pad=" << pad;
      }
    }
  }
}

TEST(Base64, RejectsMalformedInput) {
  for (const std::string_view bad : {
           "Z",         // one leftover character cannot hold a byte
           "Zm9vY",     // same, after a full quantum
           "Zg=",       // padding present but incomplete
           "Zg===",     // too much padding
           "Z===",      // padding where data must be
           "====",      //
           "=Zg=",      // padding at the start
           "Zg=a",      // padding in the middle
           "Zm9v=Zg=",  //
           "Zm 9v",     // whitespace
           "Zm9v\n",    //
           "Zm9v*",     // not in any alphabet
           "Zh==",      // non-zero trailing bits: not the canonical encoding of "f"
           "Zm9=",      // likewise for "fo"
       }) {
    EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
    EXPECT_EQ(base64_decode(bad, true), std::nullopt) << bad;
  }
  EXPECT_EQ(base64_decode(std::string("Zm9v\0Zg==", 9)), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Fernet

TEST(Fernet, ReproducesSpecGenerateVector) {
  const Fernet f = spec_fernet();
  EXPECT_EQ(f.encrypt_at_time("hello", kSpecTime, spec_iv()), kSpecToken);
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, kSpecTtl, kSpecNow), "hello");
  EXPECT_EQ(f.decrypt(kSpecToken), "hello");  // no TTL: age does not matter
  EXPECT_EQ(f.extract_timestamp(kSpecToken), kSpecTime);
}

struct InvalidVector {
  const char* desc;
  const char* token;
  std::int64_t now;
};

// fernet/spec invalid.json (all with ttl_sec 60 and the spec key).
const InvalidVector kInvalidVectors[] = {
    {"incorrect mac",
     "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==", kSpecNow},
    {"too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", kSpecNow},
    {"invalid base64",
     "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==", kSpecNow},
    {"payload size not multiple of block size",
     "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm", kSpecNow},
    {"payload padding error",
     "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==", kSpecNow},
    {"far-future TS (unacceptable clock skew)",
     "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==", kSpecNow},
    {"expired TTL",
     "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
     499162891},  // 1985-10-26T01:21:31-07:00
    {"incorrect IV (causes padding error)",
     "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==", kSpecNow},
    {"trailing characters after b64 padding",
     "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==trailingdata",
     kSpecNow},
    {"invalid characters in b64",
     "*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
     kSpecNow},
    {"invalid non-urlsafe characters in b64",
     "gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
     kSpecNow},
};

TEST(Fernet, RejectsEverySpecInvalidVector) {
  const Fernet f = spec_fernet();
  for (const auto& v : kInvalidVectors) {
    EXPECT_EQ(f.decrypt_at_time(v.token, kSpecTtl, v.now), std::nullopt) << v.desc;
  }
}

TEST(Fernet, TtlVectorsAreOnlyRejectedBecauseOfTime) {
  // Without a TTL the far-future and expired tokens decrypt (to an empty plaintext), proving the
  // rejection above was the clock alone.
  const Fernet f = spec_fernet();
  EXPECT_EQ(f.decrypt_at_time(kInvalidVectors[5].token, std::nullopt, kSpecNow), std::string());
  EXPECT_EQ(f.decrypt_at_time(kInvalidVectors[6].token, std::nullopt, kInvalidVectors[6].now), std::string());
  EXPECT_EQ(f.decrypt_at_time(kInvalidVectors[6].token, kSpecTtl, kSpecNow), std::string());
}

TEST(Fernet, RejectsBadPaddingEvenThoughTheMacIsValid) {
  const Fernet f = spec_fernet();
  for (const auto* v : {&kInvalidVectors[4], &kInvalidVectors[7]}) {
    // extract_timestamp verifies the MAC, so a value here shows only the padding is at fault.
    EXPECT_EQ(f.extract_timestamp(v->token), kSpecNow) << v->desc;
    EXPECT_EQ(f.decrypt_at_time(v->token, std::nullopt, kSpecNow), std::nullopt) << v->desc;
  }
}

// Rebuilds the spec token with a different version byte and a correct MAC for it.
std::string spec_token_with_version(unsigned char version) {
  std::string raw = *base64_decode(kSpecToken, true);
  raw[0] = static_cast<char>(version);
  raw.resize(raw.size() - 32);
  const std::string signing_key = base64_decode(kSpecKey, true)->substr(0, 16);
  raw += hmac_sha256(signing_key, raw);
  return base64_encode(raw, true);
}

TEST(Fernet, RejectsWrongVersionEvenWithValidMac) {
  const Fernet f = spec_fernet();
  ASSERT_EQ(spec_token_with_version(0x80), kSpecToken);  // the rebuild itself is faithful
  for (const unsigned char version : {0x00, 0x7f, 0x81, 0xa0, 0xc0, 0xff}) {
    const std::string token = spec_token_with_version(version);
    EXPECT_EQ(f.decrypt(token), std::nullopt) << int(version);
    EXPECT_EQ(f.extract_timestamp(token), std::nullopt) << int(version);
  }
}

TEST(Fernet, RejectsAnySingleBitFlip) {
  const Fernet f = spec_fernet();
  const std::string raw = *base64_decode(kSpecToken, true);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = raw;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      EXPECT_EQ(f.decrypt(base64_encode(tampered, true)), std::nullopt) << "byte " << i << " bit " << bit;
    }
  }
  EXPECT_EQ(f.decrypt(base64_encode(raw.substr(0, raw.size() - 1), true)), std::nullopt);
  EXPECT_EQ(f.decrypt(base64_encode(raw + "x", true)), std::nullopt);
}

TEST(Fernet, TtlBoundariesFollowPython) {
  const Fernet f = spec_fernet();
  const std::int64_t ts = kSpecTime;
  // Expires only once timestamp + ttl < now.
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, 100, ts + 100), "hello");
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, 100, ts + 101), std::nullopt);
  // Tolerates up to 60 s of clock skew into the future.
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, 100, ts - 60), "hello");
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, 100, ts - 61), std::nullopt);
  // No TTL: neither age nor skew is checked.
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, std::nullopt, ts + 1'000'000'000), "hello");
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, std::nullopt, 0), "hello");
  // Extreme values must not overflow into acceptance.
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, INT64_MAX, INT64_MAX), "hello");
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, INT64_MIN, ts), std::nullopt);
  EXPECT_EQ(f.decrypt_at_time(kSpecToken, 100, INT64_MIN), std::nullopt);
}

TEST(Fernet, RoundTripsAssortedPlaintexts) {
  const Fernet f = fresh_fernet();
  for (const std::string& plain : {std::string(), std::string("x"), std::string(15, 'a'), std::string(16, 'b'),
                                   std::string(17, 'c'), std::string("nul\0inside\xff\xfe", 12),
                                   std::string(R"({"api_key":"sk_123","région":"ZA"})"), random_bytes(100'000)}) {
    const std::string token = f.encrypt(plain);
    EXPECT_EQ(f.decrypt(token, 60), plain) << plain.size();
    // Raw length: header 25 + padded ciphertext + MAC 32.
    EXPECT_EQ(base64_decode(token, true)->size(), 25 + (plain.size() / 16 + 1) * 16 + 32);
  }
}

TEST(Fernet, EncryptUsesFreshIvAndCurrentTime) {
  const Fernet f = fresh_fernet();
  const std::string a = f.encrypt("same");
  const std::string b = f.encrypt("same");
  EXPECT_NE(a, b);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto ts = f.extract_timestamp(a);
  ASSERT_TRUE(ts.has_value());
  EXPECT_LE(std::abs(*ts - now), 5);
}

TEST(Fernet, EncryptAtTimeRejectsBadArguments) {
  const Fernet f = spec_fernet();
  EXPECT_THROW(f.encrypt_at_time("x", kSpecTime, "short"), std::invalid_argument);
  EXPECT_THROW(f.encrypt_at_time("x", kSpecTime, std::string(17, 'i')), std::invalid_argument);
  EXPECT_THROW(f.encrypt_at_time("x", -1, spec_iv()), std::invalid_argument);
}

TEST(Fernet, WrongKeyCannotDecrypt) {
  const std::string token = spec_fernet().encrypt("secret");
  EXPECT_EQ(fresh_fernet().decrypt(token), std::nullopt);
  EXPECT_EQ(fresh_fernet().extract_timestamp(token), std::nullopt);
}

TEST(Fernet, KeysMustBe32BytesOfPaddedUrlSafeBase64) {
  const std::string key = Fernet::generate_key();
  EXPECT_EQ(key.size(), 44u);
  EXPECT_EQ(key.back(), '=');
  EXPECT_TRUE(Fernet::from_key(key).has_value());
  EXPECT_NE(Fernet::generate_key(), key);

  EXPECT_FALSE(Fernet::from_key("").has_value());
  EXPECT_FALSE(Fernet::from_key(kSpecKey.substr(0, 43)).has_value());       // unpadded
  EXPECT_FALSE(Fernet::from_key(std::string(kSpecKey) + "=").has_value());  // over-padded
  EXPECT_FALSE(Fernet::from_key(std::string(kSpecKey) + " ").has_value());
  EXPECT_FALSE(Fernet::from_key(base64_encode(std::string(31, 'k'), true)).has_value());
  EXPECT_FALSE(Fernet::from_key(base64_encode(std::string(33, 'k'), true)).has_value());
  // Standard-alphabet characters are not part of a Fernet key.
  EXPECT_FALSE(Fernet::from_key(base64_encode(std::string(32, '\xfb'), false)).has_value());
  EXPECT_TRUE(Fernet::from_key(base64_encode(std::string(32, '\xfb'), true)).has_value());
}

// ---------------------------------------------------------------------------------------------
// MultiFernet

struct RotationKeys {
  std::string k_new = Fernet::generate_key();
  std::string k_old = Fernet::generate_key();
  std::string k_other = Fernet::generate_key();
  Fernet f_new = *Fernet::from_key(k_new);
  Fernet f_old = *Fernet::from_key(k_old);
  Fernet f_other = *Fernet::from_key(k_other);
};

TEST(MultiFernet, RequiresAtLeastOneKey) { EXPECT_THROW(MultiFernet(std::vector<Fernet>{}), std::invalid_argument); }

TEST(MultiFernet, EncryptsWithFirstKeyOnly) {
  RotationKeys k;
  const MultiFernet mf({k.f_new, k.f_old});
  const std::string token = mf.encrypt("payload");
  EXPECT_EQ(k.f_new.decrypt(token), "payload");
  EXPECT_EQ(k.f_old.decrypt(token), std::nullopt);
}

TEST(MultiFernet, DecryptsWithAnyKeyInOrder) {
  RotationKeys k;
  const MultiFernet mf({k.f_new, k.f_old});
  EXPECT_EQ(mf.decrypt(k.f_new.encrypt("a")), "a");
  EXPECT_EQ(mf.decrypt(k.f_old.encrypt("b")), "b");
  EXPECT_EQ(mf.decrypt(k.f_other.encrypt("c")), std::nullopt);
  EXPECT_EQ(mf.decrypt("not a token"), std::nullopt);
  // The TTL applies to every key.
  const std::string ancient = k.f_old.encrypt_at_time("d", 1000, random_bytes(16));
  EXPECT_EQ(mf.decrypt(ancient), "d");
  EXPECT_EQ(mf.decrypt(ancient, 3600), std::nullopt);
}

TEST(MultiFernet, RotateReKeysAndKeepsTimestamp) {
  RotationKeys k;
  const MultiFernet mf({k.f_new, k.f_old});
  // Old enough to fail any TTL: rotation must ignore it.
  const std::string old_token = k.f_old.encrypt_at_time("credentials", 1000, random_bytes(16));
  EXPECT_FALSE(mf.is_current(old_token));

  const auto rotated = mf.rotate(old_token);
  ASSERT_TRUE(rotated.has_value());
  EXPECT_NE(*rotated, old_token);
  EXPECT_TRUE(mf.is_current(*rotated));
  EXPECT_EQ(k.f_new.decrypt(*rotated), "credentials");
  EXPECT_EQ(k.f_old.decrypt(*rotated), std::nullopt);
  EXPECT_EQ(k.f_new.extract_timestamp(*rotated), 1000);

  // Once the old key is dropped, the rotated token still works.
  EXPECT_EQ(MultiFernet({k.f_new}).decrypt(*rotated), "credentials");

  // Rotating a current token re-encrypts it (new IV) under the same key and time.
  const auto again = mf.rotate(*rotated);
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(*again, *rotated);
  EXPECT_EQ(k.f_new.decrypt(*again), "credentials");
  EXPECT_EQ(k.f_new.extract_timestamp(*again), 1000);
}

TEST(MultiFernet, RotateAndIsCurrentRejectUnknownTokens) {
  RotationKeys k;
  const MultiFernet mf({k.f_new, k.f_old});
  const std::string foreign = k.f_other.encrypt("x");
  EXPECT_EQ(mf.rotate(foreign), std::nullopt);
  EXPECT_FALSE(mf.is_current(foreign));
  EXPECT_EQ(mf.rotate(""), std::nullopt);
  EXPECT_FALSE(mf.is_current(""));
  EXPECT_EQ(mf.rotate(kInvalidVectors[4].token), std::nullopt);
}

TEST(MultiFernet, FromKeyListParsesCommaSeparatedKeys) {
  RotationKeys k;
  std::string error;
  const auto mf = MultiFernet::from_key_list(k.k_new + ", " + k.k_old + " ,\t" + k.k_other, &error);
  ASSERT_TRUE(mf.has_value()) << error;
  EXPECT_EQ(k.f_new.decrypt(mf->encrypt("first encrypts")), "first encrypts");
  EXPECT_EQ(mf->decrypt(k.f_old.encrypt("2")), "2");
  EXPECT_EQ(mf->decrypt(k.f_other.encrypt("3")), "3");

  const auto single = MultiFernet::from_key_list(k.k_new);
  ASSERT_TRUE(single.has_value());
  EXPECT_EQ(single->decrypt(k.f_new.encrypt("1")), "1");
}

TEST(MultiFernet, FromKeyListReportsTheBadPosition) {
  RotationKeys k;
  std::string error;
  EXPECT_FALSE(MultiFernet::from_key_list("", &error).has_value());
  EXPECT_NE(error.find("no Fernet keys"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(MultiFernet::from_key_list(" \t ", &error).has_value());
  EXPECT_FALSE(error.empty());

  const std::string bad = "not-a-fernet-key-but-secret";
  error.clear();
  EXPECT_FALSE(MultiFernet::from_key_list(k.k_new + "," + bad + "," + k.k_old, &error).has_value());
  EXPECT_NE(error.find("key 2"), std::string::npos) << error;
  EXPECT_EQ(error.find(bad), std::string::npos) << "the error must not echo key material: " << error;

  error.clear();
  EXPECT_FALSE(MultiFernet::from_key_list(k.k_new + ",", &error).has_value());
  EXPECT_NE(error.find("key 2"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(MultiFernet::from_key_list("," + k.k_new, &error).has_value());
  EXPECT_NE(error.find("key 1"), std::string::npos) << error;

  // The error pointer is optional.
  EXPECT_FALSE(MultiFernet::from_key_list(bad).has_value());
}

// ---------------------------------------------------------------------------------------------
// Interoperability with Python's cryptography.fernet (the reference implementation)

// Runs a python3 snippet with arguments that are safe to pass unquoted, returning its stdout.
std::optional<std::string> run_python(const std::string& script, const std::vector<std::string>& args) {
  std::string command = "/usr/bin/python3 -c '" + script + "'";
  for (const auto& arg : args) command += " " + arg;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) out.append(buf.data(), n);
  if (pclose(pipe) != 0) return std::nullopt;
  return out;
}

bool python_cryptography_available() {
  return std::system("/usr/bin/python3 -c 'import cryptography.fernet' >/dev/null 2>&1") == 0;
}

constexpr const char* kNoPython =
    "/usr/bin/python3 with the cryptography module is missing, so interop with the reference Fernet "
    "is not checked (scripts/install-deps.sh installs python3-cryptography)";

// Plaintext with non-ASCII and JSON punctuation, passed as hex so no shell quoting is involved.
const std::string kInteropPlaintext = R"({"api_key":"sk_live_üñî","note":"it's \"quoted\""})";

TEST(FernetInterop, PythonDecryptsOurTokens) {
  if (!python_cryptography_available()) GTEST_SKIP() << kNoPython;
  const std::string key = Fernet::generate_key();
  const std::string token = Fernet::from_key(key)->encrypt(kInteropPlaintext);
  const auto out = run_python(
      "import sys; from cryptography.fernet import Fernet; "
      "print(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode(), ttl=60).hex(), end=\"\")",
      {key, token});
  ASSERT_TRUE(out.has_value()) << "python3 rejected our token";
  EXPECT_EQ(*out, to_hex(kInteropPlaintext));
}

TEST(FernetInterop, WeDecryptPythonTokens) {
  if (!python_cryptography_available()) GTEST_SKIP() << kNoPython;
  const std::string key = Fernet::generate_key();
  const auto token = run_python(
      "import sys; from cryptography.fernet import Fernet; "
      "print(Fernet(sys.argv[1].encode()).encrypt(bytes.fromhex(sys.argv[2])).decode(), end=\"\")",
      {key, to_hex(kInteropPlaintext)});
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(Fernet::from_key(key)->decrypt(*token, 60), kInteropPlaintext);
}

TEST(FernetInterop, RotationAgreesWithPythonMultiFernet) {
  if (!python_cryptography_available()) GTEST_SKIP() << kNoPython;
  const std::string k_new = Fernet::generate_key();
  const std::string k_old = Fernet::generate_key();
  const MultiFernet mf = *MultiFernet::from_key_list(k_new + "," + k_old);
  const std::string old_token = Fernet::from_key(k_old)->encrypt_at_time(kInteropPlaintext, 1000, random_bytes(16));

  // Python rotates our token; we read the result.
  const auto python_rotated = run_python(
      "import sys; from cryptography.fernet import Fernet, MultiFernet; "
      "mf = MultiFernet([Fernet(sys.argv[1].encode()), Fernet(sys.argv[2].encode())]); "
      "print(mf.rotate(sys.argv[3].encode()).decode(), end=\"\")",
      {k_new, k_old, old_token});
  ASSERT_TRUE(python_rotated.has_value());
  EXPECT_TRUE(mf.is_current(*python_rotated));
  EXPECT_EQ(Fernet::from_key(k_new)->decrypt(*python_rotated), kInteropPlaintext);
  EXPECT_EQ(Fernet::from_key(k_new)->extract_timestamp(*python_rotated), 1000);

  // We rotate; Python reads the result with the new key alone and sees the original time.
  const std::string our_rotated = *mf.rotate(old_token);
  const auto out = run_python(
      "import sys; from cryptography.fernet import Fernet; f = Fernet(sys.argv[1].encode()); "
      "t = sys.argv[2].encode(); print(f.extract_timestamp(t), f.decrypt(t).hex(), end=\"\")",
      {k_new, our_rotated});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "1000 " + to_hex(kInteropPlaintext));
}

// ---------------------------------------------------------------------------------------------
// Webhook signatures

constexpr std::string_view kElevenSecret = "wsec_test";
constexpr std::int64_t kElevenT = 1739537297;
constexpr std::string_view kElevenBody = R"({"type":"post_call_transcription","event_timestamp":1739537297,"data":{}})";
constexpr std::string_view kElevenHex = "d8a0fc2a9a570a47e6ccaf1aafe3739f64d26a9dfac82f7d1a617fade715152a";

std::string eleven_header(std::string_view rest) { return "t=1739537297," + std::string(rest); }

SignatureCheck verify_eleven(std::string_view header, std::int64_t now = kElevenT) {
  return verify_elevenlabs_signature(header, kElevenSecret, kElevenBody, now);
}

TEST(ElevenLabsSignature, MatchesProviderVector) {
  EXPECT_EQ(sign_elevenlabs(kElevenSecret, kElevenT, kElevenBody), eleven_header("v0=" + std::string(kElevenHex)));
  EXPECT_EQ(verify_eleven(sign_elevenlabs(kElevenSecret, kElevenT, kElevenBody)), SignatureCheck::ok);
}

TEST(ElevenLabsSignature, ToleratesSpacesUnknownKeysAndSeveralSignatures) {
  const std::string v0 = "v0=" + std::string(kElevenHex);
  const std::string wrong = "v0=" + std::string(64, '0');
  EXPECT_EQ(verify_eleven("t=1739537297, " + v0), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven("  t=1739537297 ,  " + v0 + "  "), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(v0 + ",t=1739537297"), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(eleven_header("v1=abc,scheme=x,junk," + v0)), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(eleven_header(wrong + "," + v0)), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(eleven_header(v0 + "," + wrong)), SignatureCheck::ok);
  std::string upper(kElevenHex);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return std::toupper(c); });
  EXPECT_EQ(verify_eleven(eleven_header("v0=" + upper)), SignatureCheck::ok);
}

TEST(ElevenLabsSignature, Missing) {
  EXPECT_EQ(verify_eleven(""), SignatureCheck::missing);
  EXPECT_EQ(verify_eleven("   "), SignatureCheck::missing);
}

TEST(ElevenLabsSignature, Malformed) {
  const std::string v0 = "v0=" + std::string(kElevenHex);
  EXPECT_EQ(verify_eleven("garbage"), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven(v0), SignatureCheck::malformed);              // no t
  EXPECT_EQ(verify_eleven("t=1739537297"), SignatureCheck::malformed);  // no v0
  EXPECT_EQ(verify_eleven("t=1739537297,v1=" + std::string(kElevenHex)), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=abc," + v0), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=," + v0), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=-1739537297," + v0), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=+1739537297," + v0), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=1739537297x," + v0), SignatureCheck::malformed);
  EXPECT_EQ(verify_eleven("t=99999999999999999999," + v0), SignatureCheck::malformed);  // overflows int64
  EXPECT_EQ(verify_eleven("t=1739537297,t=1739537297," + v0), SignatureCheck::malformed);
}

TEST(ElevenLabsSignature, Mismatch) {
  const std::string v0 = "v0=" + std::string(kElevenHex);
  EXPECT_EQ(verify_elevenlabs_signature(eleven_header(v0), "wsec_other", kElevenBody, kElevenT),
            SignatureCheck::mismatch);
  std::string body(kElevenBody);
  body.back() = ' ';
  EXPECT_EQ(verify_elevenlabs_signature(eleven_header(v0), kElevenSecret, body, kElevenT), SignatureCheck::mismatch);
  // The signature binds t: the same MAC under another t fails.
  EXPECT_EQ(verify_eleven("t=1739537298," + v0), SignatureCheck::mismatch);
  EXPECT_EQ(verify_eleven(eleven_header("v0=" + std::string(kElevenHex.substr(0, 63)))), SignatureCheck::mismatch);
  EXPECT_EQ(verify_eleven(eleven_header("v0=")), SignatureCheck::mismatch);
  EXPECT_EQ(verify_eleven(eleven_header("v0=not-hex")), SignatureCheck::mismatch);
  // The "t" text is signed as sent, so a re-formatted equal number does not verify.
  EXPECT_EQ(verify_eleven("t=01739537297," + v0), SignatureCheck::mismatch);
}

TEST(ElevenLabsSignature, VerifiesABodyGivenInPieces) {
  const auto check = [](std::string_view header, std::string_view body) {
    TimestampedSignature signature(header, "v0", kElevenSecret);
    for (const char c : body) signature.update(std::string_view(&c, 1));
    return signature.finish(kElevenT, kElevenLabsTolerance);
  };
  EXPECT_EQ(check(eleven_header("v0=" + std::string(kElevenHex)), kElevenBody), SignatureCheck::ok);
  EXPECT_EQ(check(eleven_header("v0=" + std::string(kElevenHex)), std::string(kElevenBody) + " "),
            SignatureCheck::mismatch);
  EXPECT_EQ(check("t=1739537297", kElevenBody), SignatureCheck::malformed);
  EXPECT_EQ(check("", kElevenBody), SignatureCheck::missing);
}

TEST(ElevenLabsSignature, TooOldOrTooFarInTheFuture) {
  const std::string header = sign_elevenlabs(kElevenSecret, kElevenT, kElevenBody);
  EXPECT_EQ(verify_eleven(header, kElevenT + 1800), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(header, kElevenT + 1801), SignatureCheck::too_old);
  EXPECT_EQ(verify_eleven(header, kElevenT - 1800), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(header, kElevenT - 1801), SignatureCheck::too_old);
  EXPECT_EQ(verify_elevenlabs_signature(header, kElevenSecret, kElevenBody, kElevenT + 11, 10),
            SignatureCheck::too_old);
  EXPECT_EQ(verify_elevenlabs_signature(header, kElevenSecret, kElevenBody, kElevenT + 10, 10), SignatureCheck::ok);
  // A forged header gets mismatch, not too_old: too_old is reserved for authentic replays.
  EXPECT_EQ(verify_eleven(eleven_header("v0=" + std::string(64, 'a')), kElevenT + 100000), SignatureCheck::mismatch);
  // Extreme values must not overflow into acceptance.
  const std::string far = sign_elevenlabs(kElevenSecret, INT64_MAX, kElevenBody);
  EXPECT_EQ(verify_eleven(far, INT64_MIN), SignatureCheck::too_old);
  EXPECT_EQ(verify_elevenlabs_signature(far, kElevenSecret, kElevenBody, INT64_MAX, INT64_MAX), SignatureCheck::ok);
  EXPECT_EQ(verify_elevenlabs_signature(header, kElevenSecret, kElevenBody, INT64_MAX, INT64_MAX), SignatureCheck::ok);
  EXPECT_EQ(verify_eleven(sign_elevenlabs(kElevenSecret, 0, kElevenBody), INT64_MAX), SignatureCheck::too_old);
}

constexpr std::string_view kWhatsAppSecret = "appsecret";
constexpr std::string_view kWhatsAppBody = R"({"object":"whatsapp_business_account","entry":[]})";
constexpr std::string_view kWhatsAppHeader = "sha256=09eceea024af6e6343b760cc9bd3ae7c056938dd636e24e92109eb8219500384";

TEST(WhatsAppSignature, MatchesProviderVector) {
  EXPECT_EQ(sign_whatsapp(kWhatsAppSecret, kWhatsAppBody), kWhatsAppHeader);
  EXPECT_EQ(verify_whatsapp_signature(kWhatsAppHeader, kWhatsAppSecret, kWhatsAppBody), SignatureCheck::ok);
  EXPECT_EQ(verify_whatsapp_signature(" " + std::string(kWhatsAppHeader) + " ", kWhatsAppSecret, kWhatsAppBody),
            SignatureCheck::ok);
  std::string upper = "sha256=" + std::string(kWhatsAppHeader.substr(7));
  std::transform(upper.begin() + 7, upper.end(), upper.begin() + 7, [](char c) { return std::toupper(c); });
  EXPECT_EQ(verify_whatsapp_signature(upper, kWhatsAppSecret, kWhatsAppBody), SignatureCheck::ok);
}

TEST(WhatsAppSignature, MissingMalformedMismatch) {
  EXPECT_EQ(verify_whatsapp_signature("", kWhatsAppSecret, kWhatsAppBody), SignatureCheck::missing);
  EXPECT_EQ(verify_whatsapp_signature("  ", kWhatsAppSecret, kWhatsAppBody), SignatureCheck::missing);
  EXPECT_EQ(verify_whatsapp_signature(kWhatsAppHeader.substr(7), kWhatsAppSecret, kWhatsAppBody),
            SignatureCheck::malformed);
  EXPECT_EQ(verify_whatsapp_signature("sha1=" + std::string(kWhatsAppHeader.substr(7)), kWhatsAppSecret, kWhatsAppBody),
            SignatureCheck::malformed);
  EXPECT_EQ(
      verify_whatsapp_signature("SHA256=" + std::string(kWhatsAppHeader.substr(7)), kWhatsAppSecret, kWhatsAppBody),
      SignatureCheck::malformed);
  EXPECT_EQ(verify_whatsapp_signature(kWhatsAppHeader, "otherSecret", kWhatsAppBody), SignatureCheck::mismatch);
  // Verified over the raw bytes: re-serialised (here: pretty-printed) JSON does not match.
  EXPECT_EQ(verify_whatsapp_signature(kWhatsAppHeader, kWhatsAppSecret,
                                      R"({"object": "whatsapp_business_account", "entry": []})"),
            SignatureCheck::mismatch);
  EXPECT_EQ(verify_whatsapp_signature("sha256=", kWhatsAppSecret, kWhatsAppBody), SignatureCheck::mismatch);
  EXPECT_EQ(verify_whatsapp_signature(std::string(kWhatsAppHeader) + "00", kWhatsAppSecret, kWhatsAppBody),
            SignatureCheck::mismatch);
}

TEST(WhatsAppSignature, CoversBinaryBodies) {
  const std::string body("a\0b\xff", 4);
  const std::string header = sign_whatsapp(kWhatsAppSecret, body);
  EXPECT_EQ(verify_whatsapp_signature(header, kWhatsAppSecret, body), SignatureCheck::ok);
  EXPECT_EQ(verify_whatsapp_signature(header, kWhatsAppSecret, std::string("a\0c\xff", 4)), SignatureCheck::mismatch);
}

TEST(CxcoSignature, SignsTimestampDotBodyWithV1) {
  // Independently computed: HMAC-SHA256("whsec_test", "1700000000.<body>") with Python's hmac module.
  constexpr std::string_view body = R"({"id":"evt_1","type":"agent.status_changed"})";
  EXPECT_EQ(sign_cxco_webhook("whsec_test", 1700000000, body),
            "t=1700000000,v1=9697f1451d46b5f45f21905af365bf1447e85bfa09c732a89aa3e2d8cf073eff");
}

TEST(CxcoSignature, VerifiesOwnSignaturesWithinFiveMinutes) {
  constexpr std::string_view body = R"({"id":"evt_2"})";
  const std::string header = sign_cxco_webhook("whsec_k", 1700000000, body);
  EXPECT_EQ(verify_cxco_webhook_signature(header, "whsec_k", body, 1700000000), SignatureCheck::ok);
  EXPECT_EQ(verify_cxco_webhook_signature(header, "whsec_k", body, 1700000300), SignatureCheck::ok);
  EXPECT_EQ(verify_cxco_webhook_signature(header, "whsec_k", body, 1700000301), SignatureCheck::too_old);
  EXPECT_EQ(verify_cxco_webhook_signature(header, "whsec_k", body, 1699999699), SignatureCheck::too_old);
  EXPECT_EQ(verify_cxco_webhook_signature(header, "whsec_other", body, 1700000000), SignatureCheck::mismatch);
  EXPECT_EQ(verify_cxco_webhook_signature("", "whsec_k", body, 1700000000), SignatureCheck::missing);
  // An ElevenLabs-style v0 header is not a CXCo signature.
  EXPECT_EQ(verify_cxco_webhook_signature(sign_elevenlabs("whsec_k", 1700000000, body), "whsec_k", body, 1700000000),
            SignatureCheck::malformed);
}

}  // namespace
