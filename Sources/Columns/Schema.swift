/// One named, typed column of a schema.
public struct Field: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var type: DataType
    /// Whether the column may hold nulls. Readers treat a non-nullable column holding a null
    /// as corrupt data.
    public var nullable: Bool

    public init(_ name: String, _ type: DataType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }

    public var description: String { "\(name): \(type)\(nullable ? "" : " NOT NULL")" }
}

/// An ordered list of uniquely named fields.
public struct Schema: Sendable, Equatable, CustomStringConvertible {
    public let fields: [Field]

    /// - Throws: `BatonError` (`.invalidInput`) when two fields share a name or a name is empty.
    public init(_ fields: [Field]) throws(BatonError) {
        // Names are distinct byte for byte (not merely up to Unicode equivalence).
        var seen = Set<[UInt8]>()
        for field in fields {
            if field.name.isEmpty {
                throw BatonError(.invalidInput, "a column name is empty")
            }
            if !seen.insert(Array(field.name.utf8)).inserted {
                throw BatonError(.invalidInput, "column \"\(field.name)\" appears twice in the schema",
                                 hint: "give every column a distinct name")
            }
        }
        self.fields = fields
    }

    /// A schema whose names may repeat: the intermediate rows of a query (`SELECT a, a`, the two
    /// sides of a join). Names must still be non-empty.
    public init(_ fields: [Field], allowingDuplicates: Bool) throws(BatonError) {
        if !allowingDuplicates {
            try self.init(fields)
            return
        }
        if fields.contains(where: { $0.name.isEmpty }) { throw BatonError(.invalidInput, "a column name is empty") }
        self.init(unchecked: fields)
    }

    public var count: Int { fields.count }
    public var names: [String] { fields.map(\.name) }

    public func index(of name: String) -> Int? { fields.firstIndex { $0.name.utf8.elementsEqual(name.utf8) } }

    /// The indices of `names`, in the order given.
    /// - Throws: `.invalidInput` naming the first unknown column and listing the known ones.
    public func indices(of names: [String]) throws(BatonError) -> [Int] {
        var result: [Int] = []
        var seen = Set<[UInt8]>()
        for name in names {
            guard seen.insert(Array(name.utf8)).inserted else {
                throw BatonError(.invalidInput, "column \"\(name)\" is listed twice", hint: "name each column once")
            }
            guard let index = index(of: name) else {
                throw BatonError(.invalidInput, "no column named \"\(name)\"",
                                 hint: "the columns are: \(self.names.joined(separator: ", "))")
            }
            result.append(index)
        }
        return result
    }

    /// The schema of the given columns, in that order.
    public func projected(_ indices: [Int]) -> Schema {
        // Safe: a subset of unique names is unique.
        Schema(unchecked: indices.map { fields[$0] })
    }

    init(unchecked fields: [Field]) { self.fields = fields }

    public var description: String { fields.map(\.description).joined(separator: ", ") }
}
