#include "session/SessionFile.h"

#include "common/InputError.h"
#include "io/AtomicFileWriter.h"
#include "io/FileText.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"
#include "io/SafetensorsFile.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <ctime>
#include <set>

namespace featurescope {

namespace {

using json = nlohmann::json;

std::string kindOf(const json& j)
{
    switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "discarded";
    default: return "a number";
    }
}

// Panel ids and array names end up in tensor names, messages and widget lookups: keep them short and plain.
bool plainId(const std::string& id)
{
    if (id.empty() || id.size() > SessionFile::kMaxIdLength)
        return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    return true;
}

bool plainArrayName(const std::string& name)
{
    if (name.empty() || name.size() > 256)
        return false;
    for (const unsigned char c : name)
        if (c < 0x20 || c >= 0x7f)
            return false;
    return true;
}

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

json parseJson(const std::string& path, const char* begin, const char* end)
{
    JsonLimits limits = JsonLimits::withMaxBytes(SessionFile::kMaxJsonBytes);
    limits.maxDepth = SessionFile::kMaxJsonDepth;
    return JsonReader::parse(std::string_view(begin, std::size_t(end - begin)), path, "the session", limits);
}

// Version 0 (the layout before app_version): {"format", "version": 0, "theme", "panel": id,
// "panels": [{"id": id, "settings": {...}}, ...]}. Becomes version 1 in place.
void migrateFromVersion0(const std::string& path, json& doc)
{
    auto fail = [&](const std::string& problem) {
        return InputError(path + ": cannot migrate this version-0 session: " + problem);
    };
    json panels = json::object();
    const auto list = doc.find("panels");
    if (list != doc.end()) {
        if (!list->is_array())
            throw fail("\"panels\" is " + kindOf(*list) + ", not a list");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& entry = (*list)[i];
            const std::string where = "panels[" + std::to_string(i) + "]";
            if (!entry.is_object())
                throw fail(where + " is " + kindOf(entry) + ", not an object");
            const auto id = entry.find("id");
            if (id == entry.end() || !id->is_string())
                throw fail(where + " has no \"id\" string");
            const auto settings = entry.find("settings");
            panels[id->get<std::string>()] = settings == entry.end() ? json::object() : *settings;
        }
    }
    doc["panels"] = std::move(panels);
    if (const auto current = doc.find("panel"); current != doc.end()) {
        doc["current_panel"] = *current;
        doc.erase("panel");
    }
    doc["version"] = 1;
}

std::string optionalString(const std::string& path, const json& doc, const char* key, std::size_t maxLength)
{
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null())
        return {};
    if (!it->is_string())
        throw InputError(path + ": \"" + key + "\" is " + kindOf(*it) + ", not a string");
    const std::string value = it->get<std::string>();
    if (value.size() > maxLength)
        throw InputError(path + ": \"" + key + "\" is longer than " + std::to_string(maxLength) + " characters");
    return value;
}

Session interpret(const std::string& path, json doc)
{
    if (!doc.is_object())
        throw InputError(path + ": not a featurescope session (the JSON is " + kindOf(doc) + ", not an object)");
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string())
        throw InputError(path + ": not a featurescope session (no \"format\": \"" + SessionFile::kFormat + "\")");
    if (format->get<std::string>() != SessionFile::kFormat)
        throw InputError(path + ": not a featurescope session (format " + FileText::quoted(format->get<std::string>()) +
                         ", expected '" + SessionFile::kFormat + "')");
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer())
        throw InputError(path + ": the session has no integer \"version\"");
    const bool isUnsigned = version->is_number_unsigned();
    const std::int64_t v = isUnsigned ? std::int64_t(std::min<std::uint64_t>(version->get<std::uint64_t>(), 1u << 30))
                                      : version->get<std::int64_t>();
    if (v > SessionFile::kVersion)
        throw InputError(path + ": made by a newer featurescope (session format version " + std::to_string(v) +
                         "; this one reads versions up to " + std::to_string(SessionFile::kVersion) +
                         "): update featurescope to open it");
    if (v < 0)
        throw InputError(path + ": the session format version " + std::to_string(v) + " is invalid");
    Session session;
    session.loadedVersion = int(v);
    if (v == 0)
        migrateFromVersion0(path, doc);

    session.appVersion = optionalString(path, doc, "app_version", 64);
    session.savedAt = optionalString(path, doc, "saved_at", 64);
    session.theme = optionalString(path, doc, "theme", 32);
    session.currentPanel = optionalString(path, doc, "current_panel", SessionFile::kMaxIdLength);
    if (!session.currentPanel.empty() && !plainId(session.currentPanel))
        throw InputError(path + ": \"current_panel\" " + FileText::quoted(session.currentPanel) + " is not a panel id");
    const auto panels = doc.find("panels");
    if (panels == doc.end() || !panels->is_object())
        throw InputError(path + ": the session has no \"panels\" object");
    if (panels->size() > SessionFile::kMaxPanels)
        throw InputError(path + ": the session has " + std::to_string(panels->size()) + " panels (at most " +
                         std::to_string(SessionFile::kMaxPanels) + ")");
    for (auto it = panels->begin(); it != panels->end(); ++it) {
        if (!plainId(it.key()))
            throw InputError(path + ": panel id " + FileText::quoted(it.key()) +
                             " is not a plain id (letters, digits, '-', '_', '.'; at most 64)");
        if (!it.value().is_object())
            throw InputError(path + ": the settings of panel '" + it.key() + "' are " + kindOf(it.value()) +
                             ", not an object");
        session.panels[it.key()].settings = it.value();
    }
    return session;
}

Session parseFile(const std::shared_ptr<const MappedFile>& file)
{
    const std::string& path = file->path();
    const std::uint64_t size = file->size();
    const std::uint8_t* bytes = file->data();
    if (size == 0)
        throw InputError(path + ": empty file, not a featurescope session");
    std::uint64_t first = 0;
    while (first < size && (bytes[first] == ' ' || bytes[first] == '\t' || bytes[first] == '\n' || bytes[first] == '\r'))
        ++first;
    if (first < size && bytes[first] == '{') {
        // Plain JSON: a safetensors header length never starts with '{' followed by printable text, because its
        // bytes 4..7 are zero (the header is at most 100 MB) and JSON holds no NUL bytes.
        if (size > SessionFile::kMaxJsonBytes)
            throw InputError(path + ": the session JSON is " + std::to_string(size) + " bytes (at most " +
                             std::to_string(SessionFile::kMaxJsonBytes) + ")");
        const char* text = reinterpret_cast<const char*>(bytes);
        return interpret(path, parseJson(path, text, text + size));
    }
    if (size < 8 || bytes[4] != 0 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0)
        throw InputError(path + ": not a featurescope session (it starts with neither a safetensors header nor '{')");

    const SafetensorsFile container = SafetensorsFile::parse(file);
    const auto meta = container.metadata().find(SessionFile::kMetadataKey);
    if (meta == container.metadata().end())
        throw InputError(path + ": a safetensors file but not a featurescope session (no '" +
                         std::string(SessionFile::kMetadataKey) + "' metadata)");
    const std::string& text = meta->second;
    Session session = interpret(path, parseJson(path, text.data(), text.data() + text.size()));
    for (const auto& info : container.tensors()) {
        const auto slash = info.name.find('/');
        const std::string id = slash == std::string::npos ? std::string() : info.name.substr(0, slash);
        const std::string name = slash == std::string::npos ? std::string() : info.name.substr(slash + 1);
        if (id.empty() || !plainArrayName(name))
            throw InputError(path + ": tensor " + FileText::quoted(info.name) + " is not named '<panel>/<array>'");
        const auto panel = session.panels.find(id);
        if (panel == session.panels.end())
            throw InputError(path + ": tensor " + FileText::quoted(info.name) + " belongs to no panel of the session");
        // Owned copies: the panels keep these past the file's lifetime, and another program may rewrite the file.
        const ArrayData view = container.tensor(info.name);
        std::vector<std::uint8_t> owned(view.data(), view.data() + view.byteSize());
        panel->second.arrays[name] = ArrayData(view.dtype(), view.shape(), std::move(owned));
    }
    return session;
}

} // namespace

std::string SessionFile::serialize(const Session& session)
{
    json doc = json::object();
    doc["format"] = kFormat;
    doc["version"] = kVersion;
    doc["app_version"] = session.appVersion;
    doc["saved_at"] = session.savedAt.empty() ? utcNow() : session.savedAt;
    doc["theme"] = session.theme;
    doc["current_panel"] = session.currentPanel;
    json panels = json::object();
    std::vector<SafetensorsFile::NamedArray> tensors;
    for (const auto& [id, state] : session.panels) {
        if (!plainId(id))
            throw InputError("cannot save the session: panel id " + FileText::quoted(id) + " is not a plain id");
        if (!state.settings.is_object())
            throw InputError("cannot save the session: the settings of panel '" + id + "' are not an object");
        panels[id] = state.settings;
        for (const auto& [name, array] : state.arrays) {
            if (!plainArrayName(name))
                throw InputError("cannot save the session: array name " + FileText::quoted(name) + " of panel '" + id +
                                 "' is empty, too long or not printable ASCII");
            tensors.push_back({id + "/" + name, array});
        }
    }
    doc["panels"] = std::move(panels);
    std::string text;
    try {
        text = doc.dump();
    } catch (const json::exception& e) {
        throw InputError(std::string("cannot save the session: ") + e.what());
    }
    return SafetensorsFile::serialize(tensors, {{kMetadataKey, text}});
}

void SessionFile::save(const std::string& path, const Session& session)
{
    std::string bytes;
    try {
        bytes = serialize(session);
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
    AtomicFileWriter::writeFile(path, bytes);
}

Session SessionFile::load(const std::string& path)
{
    const auto file = MappedFile::open(path);
    if (file->size() > kMaxFileBytes)
        throw InputError(path + ": the session is " + std::to_string(file->size()) + " bytes (at most " +
                         std::to_string(kMaxFileBytes) + ")");
    return parseFile(file);
}

Session SessionFile::parse(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    return parseFile(MappedFile::fromBuffer(name, data, size));
}

} // namespace featurescope
