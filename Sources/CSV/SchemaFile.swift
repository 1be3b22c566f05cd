import Columns
import Yams

/// A locked schema: the dialect and the column names and types of a CSV input, written by
/// `baton schema --lock FILE` and read back with `--schema FILE`, so later runs read the same
/// columns the same way whatever the data looks like.
///
/// ```yaml
/// # Written by baton schema --lock; read with --schema.
/// dialect:
///   delimiter: ","
///   quote: "\""
///   escape: "\""
///   header: true
///   null: [""]
/// columns:
///   - name: id1
///     type: String
///   - name: v3
///     type: Float64
/// ```
public struct SchemaFile: Sendable, Equatable {
    public var dialect: CSVDialect
    public var schema: Schema

    public init(dialect: CSVDialect, schema: Schema) {
        self.dialect = dialect
        self.schema = schema
    }

    struct Document: Codable {
        struct Dialect: Codable {
            var delimiter: String?
            var quote: String?
            var escape: String?
            var header: Bool?
            var null: [String]?
        }
        struct Column: Codable {
            var name: String
            var type: String
            var nullable: Bool?
        }
        var dialect: Dialect?
        var columns: [Column]
    }

    public func yaml() throws(BatonError) -> String {
        func text(_ byte: UInt8) -> String { byte == 9 ? "\t" : String(UnicodeScalar(byte)) }
        let document = Document(
            dialect: .init(delimiter: text(dialect.delimiter), quote: text(dialect.quote), escape: text(dialect.escape),
                           header: dialect.header, null: dialect.nullStrings),
            columns: schema.fields.map { .init(name: $0.name, type: $0.type.description, nullable: $0.nullable ? nil : false) })
        do {
            return "# Written by baton schema --lock; read with --schema.\n" + (try YAMLEncoder().encode(document))
        } catch {
            throw BatonError(.invalidInput, "cannot write the schema: \(error)")
        }
    }

    /// - Throws: `.invalidInput` naming the file and, where YAML reports one, the line.
    public init(yaml: String, file: String) throws(BatonError) {
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: yaml)
        } catch {
            throw BatonError(.invalidInput, "not a valid schema file: \(error)", at: .init(file: file),
                             hint: "write one with baton schema INPUT --lock FILE")
        }
        var dialect = CSVDialect()
        if let d = document.dialect {
            if let v = d.delimiter { dialect.delimiter = try CSVDialect.byte(named: v, option: "delimiter") }
            if let v = d.quote { dialect.quote = try CSVDialect.byte(named: v, option: "quote") }
            if let v = d.escape { dialect.escape = try CSVDialect.byte(named: v, option: "escape") }
            if let v = d.header { dialect.header = v }
            if let v = d.null { dialect.nullStrings = v }
        }
        var fields: [Field] = []
        for column in document.columns {
            guard let type = DataType(name: column.type) else {
                throw BatonError(.invalidInput, "unknown type", at: .init(file: file, column: column.name, text: column.type),
                                 hint: "use Int64, Float64, Bool, String, Date or Timestamp")
            }
            fields.append(Field(column.name, type, nullable: column.nullable ?? true))
        }
        do throws(BatonError) { schema = try Schema(fields) } catch { throw error.inFile(file) }
        self.dialect = dialect
    }
}
