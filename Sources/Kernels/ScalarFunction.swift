import Columns

public struct FunctionResolutionError: Error, Sendable, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }
}

/// The scalar function library (DuckDB names and semantics): string, math, date and
/// conditional functions.
///
/// `resolve` picks an overload for the argument types, allowing the implicit conversions
/// Int64 → Float64 and Date → Timestamp; `argumentTypes` says what the caller must cast the
/// arguments to before calling `evaluate`. Every function returns a constant when all its
/// arguments are constants, and a function of one dictionary-encoded string (other
/// arguments constant) runs once per distinct value and keeps the codes.
public struct ScalarFunction: Sendable {
    public typealias Kernel = @Sendable ([Vector], Int) throws(BatonError) -> Vector

    public let name: String
    /// After the implicit conversions `resolve` chose: the caller casts the arguments to these.
    public let argumentTypes: [DataType]
    public let returnType: DataType
    public let evaluate: Kernel

    public init(name: String, argumentTypes: [DataType], returnType: DataType, evaluate: @escaping Kernel) {
        self.name = name
        self.argumentTypes = argumentTypes
        self.returnType = returnType
        self.evaluate = evaluate
    }

    /// The overload of `name` (case-insensitive) for `argumentTypes`, or an error that lists the
    /// accepted signatures, e.g. "substr expects (String, Int64[, Int64]), got (Int64)".
    public static func resolve(name: String, argumentTypes: [DataType]) -> Result<ScalarFunction, FunctionResolutionError> {
        let key = name.lowercased()
        guard let definition = FunctionLibrary.definitions[key] else {
            return .failure(FunctionResolutionError("unknown function \(key)"))
        }
        if let (args, result, kernel) = definition.resolve(argumentTypes) {
            return .success(ScalarFunction(name: key, argumentTypes: args, returnType: result, evaluate: kernel))
        }
        let got = argumentTypes.map(\.description).joined(separator: ", ")
        return .failure(FunctionResolutionError("\(key) expects \(definition.signature), got (\(got))"))
    }

    public static func exists(_ name: String) -> Bool { FunctionLibrary.definitions[name.lowercased()] != nil }

    /// Every function name, aliases included, sorted.
    public static var names: [String] { FunctionLibrary.definitions.keys.sorted() }
}

/// One function name's overload resolution.
struct FunctionDefinition: Sendable {
    /// For error messages: "(String, Int64[, Int64])".
    let signature: String
    let resolve: @Sendable ([DataType]) -> (args: [DataType], result: DataType, kernel: ScalarFunction.Kernel)?
}

/// A kernel over columns (constants allowed) returning a column of `count` rows.
typealias ColumnKernel = @Sendable ([Vector], Int) throws(BatonError) -> Column

/// Wraps a column kernel with the constant and dictionary fast paths.
/// - Parameter dictionary: run once per distinct value when the only non-constant argument is
///   a dictionary column. Only for kernels where a null argument gives a null result.
func lift(dictionary: Bool = true, _ body: @escaping ColumnKernel) -> ScalarFunction.Kernel {
    { (args: [Vector], count: Int) throws(BatonError) -> Vector in
        if args.allSatisfy(\.isConstant) {
            let column = try body(args, 1)
            return .constant(column.value(at: 0), column.type)
        }
        if dictionary {
            let columns = args.indices.filter { !args[$0].isConstant }
            if columns.count == 1, case .column(let c) = args[columns[0]], case .dictionary(let codes, let values) = c.storage {
                var perValueArgs = args
                perValueArgs[columns[0]] = .column(Column(.string, .string(values)))
                let perValue = try body(perValueArgs, values.count)
                return .column(Casts.mapCodes(codes, validity: c.validity, perValue: perValue))
            }
        }
        return .column(try body(args, count))
    }
}

/// Resolution helpers.
enum Signatures {
    /// Whether `given` converts implicitly to `wanted` (Int64 → Float64, Date → Timestamp).
    static func converts(_ given: DataType, to wanted: DataType) -> Bool {
        given == wanted || (given == .int64 && wanted == .float64) || (given == .date && wanted == .timestamp)
    }

    /// A definition from fixed overloads, tried in order: exact match first, then with the
    /// implicit conversions.
    static func fixed(_ signature: String, _ overloads: [([DataType], DataType, ScalarFunction.Kernel)]) -> FunctionDefinition {
        FunctionDefinition(signature: signature) { types in
            if let exact = overloads.first(where: { $0.0 == types }) { return exact }
            return overloads.first { o in
                o.0.count == types.count && zip(types, o.0).allSatisfy { converts($0, to: $1) }
            }
        }
    }

    /// Any number (at least `minimum`) of arguments converting to one common type.
    static func variadicCommon(_ signature: String, minimum: Int, _ make: @escaping @Sendable (DataType) -> ScalarFunction.Kernel) -> FunctionDefinition {
        FunctionDefinition(signature: signature) { types in
            guard types.count >= minimum, let common = TypeRules.common(types) else { return nil }
            return (Array(repeating: common, count: types.count), common, make(common))
        }
    }
}

enum FunctionLibrary {
    static let definitions: [String: FunctionDefinition] = {
        var all: [String: FunctionDefinition] = [:]
        for (names, definition) in StringFunctions.definitions + MathFunctions.definitions + DateFunctions.definitions {
            for name in names { all[name] = definition }
        }
        return all
    }()
}
